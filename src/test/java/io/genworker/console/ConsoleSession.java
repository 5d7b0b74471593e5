package io.genworker.console;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.genworker.api.ApiUsers;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** A browser's session with the console, over plain HTTP: signed in through the form, with its CSRF cookie. */
record ConsoleSession(String user, Map<String, String> cookies, String csrf) {

    /** Signs in as one of the generated users and fetches a page once, which hands out the CSRF cookie. */
    static ConsoleSession signIn(String user) {
        Response login = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("j_username", user).formParam("j_password", ApiUsers.password(user))
                .post("/console/j_security_check");
        if (login.statusCode() != 302 || login.cookie("genworker-console") == null) {
            throw new IllegalStateException("sign-in as " + user + " answered " + login.statusCode());
        }
        Map<String, String> session = Map.of("genworker-console", login.cookie("genworker-console"));
        Response page = given().redirects().follow(false).cookies(session).get("/console/jobs");
        String csrf = page.cookie("genworker-csrf");
        return new ConsoleSession(user, Map.of("genworker-console", session.get("genworker-console"),
                "genworker-csrf", csrf), csrf);
    }

    /** A request as this browser, without the CSRF header. */
    RequestSpecification browser() {
        return given().redirects().follow(false).cookies(cookies);
    }

    /** A request as this browser's page would send an action: the CSRF header, same origin. */
    RequestSpecification page() {
        return browser().header("X-CSRF-Token", csrf).header("Sec-Fetch-Site", "same-origin");
    }
}
