package io.genworker.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;

/**
 * The identity provider of the API tests: a key pair made at start, whose public half the worker verifies bearer
 * tokens with (written under target/), and tokens signed with it, or with another key, expired, from another
 * issuer or without roles. No identity provider runs.
 */
public class ApiTokens implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.genworker.test";
    private static final KeyPair SIGNING = keyPair();
    private static final KeyPair STRANGER = keyPair();

    @Override
    public Map<String, String> start() {
        Path file = Path.of("target", "api-jwt", "public.pem").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(SIGNING.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Files.writeString(file, pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("worker.api.jwt.public-key-location", "file:" + file,
                "worker.api.jwt.issuer", ISSUER);
    }

    @Override
    public void stop() {
    }

    /** A valid token for a subject with these roles, for ten minutes. */
    public static String token(String subject, String... roles) {
        return sign(subject, ISSUER, Instant.now().plus(Duration.ofMinutes(10)), SIGNING.getPrivate(), roles);
    }

    public static String expired(String subject, String... roles) {
        return sign(subject, ISSUER, Instant.now().minus(Duration.ofMinutes(10)), SIGNING.getPrivate(), roles);
    }

    public static String otherIssuer(String subject, String... roles) {
        return sign(subject, "https://elsewhere.test", Instant.now().plus(Duration.ofMinutes(10)),
                SIGNING.getPrivate(), roles);
    }

    public static String otherKey(String subject, String... roles) {
        return sign(subject, ISSUER, Instant.now().plus(Duration.ofMinutes(10)), STRANGER.getPrivate(), roles);
    }

    private static String sign(String subject, String issuer, Instant expiresAt, PrivateKey key, String... roles) {
        return Jwt.issuer(issuer).subject(subject).upn(subject).groups(Set.of(roles))
                .issuedAt(expiresAt.minus(Duration.ofMinutes(20))).expiresAt(expiresAt)
                .jws().sign(key);
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
