package io.genworker.api;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/** The Basic users the worker generated for the test profile, and requests made as them or as token holders. */
public final class ApiUsers {

    /** %test.worker.api.credentials-file */
    static final Path FILE = Path.of("target", "api-credentials-test.properties");

    private ApiUsers() {
    }

    public static String password(String user) {
        return password(FILE, user);
    }

    static String password(Path file, String user) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty(user);
    }

    static RequestSpecification operator() {
        return basic(ApiRoles.OPERATOR, password(ApiRoles.OPERATOR));
    }

    static RequestSpecification viewer() {
        return basic(ApiRoles.VIEWER, password(ApiRoles.VIEWER));
    }

    static RequestSpecification basic(String user, String password) {
        return RestAssured.given().auth().preemptive().basic(user, password);
    }

    static RequestSpecification bearer(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token);
    }

    /** A Basic user of the worker started with another credentials file. */
    record Basic(String user, String password) {

        static Basic of(Class<? extends io.quarkus.test.junit.QuarkusTestProfile> profile, String user) {
            try {
                String file = profile.getDeclaredConstructor().newInstance().getConfigOverrides()
                        .get("worker.api.credentials-file");
                return new Basic(user, ApiUsers.password(Path.of(file), user));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        RequestSpecification spec() {
            return basic(user, password);
        }
    }

    static RequestSpecification anonymous() {
        return RestAssured.given();
    }
}
