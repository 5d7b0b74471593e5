package io.genworker.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A SASL_SSL listener (SCRAM-SHA-512) for a test broker, as managed clusters offer: a certificate authority and a
 * broker certificate for 127.0.0.1 made with the JDK's keytool at test time (into the given directory under
 * target/, never committed), the broker's keystore and the clients' truststore, which holds only the CA. The
 * clients verify the broker's host name as they do by default.
 */
public final class SaslSslListener {

    public static final String NAME = "SECURE";
    public static final String MECHANISM = "SCRAM-SHA-512";
    private static final String STORE_TYPE = "PKCS12";

    private final Path keystore;
    private final Path truststore;
    private final String keystorePassword;
    private final String truststorePassword;

    private SaslSslListener(Path dir, String keystorePassword, String truststorePassword) {
        this.keystore = dir.resolve("broker.p12").toAbsolutePath();
        this.truststore = dir.resolve("truststore.p12").toAbsolutePath();
        this.keystorePassword = keystorePassword;
        this.truststorePassword = truststorePassword;
    }

    /** Makes a CA, a broker certificate it signs, the broker's keystore and the clients' truststore in {@code dir}. */
    public static SaslSslListener generate(Path dir) {
        try {
            Files.createDirectories(dir);
            SaslSslListener listener = new SaslSslListener(dir, secret(), secret());
            listener.makeStores(dir.toAbsolutePath());
            return listener;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the test certificates", e);
        }
    }

    /** A random password: nothing of the test's credentials is a constant a scan could mistake for a real one. */
    public static String secret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public Path truststore() {
        return truststore;
    }

    public String truststorePassword() {
        return truststorePassword;
    }

    /** The broker's settings for this listener on {@code port}; the listener name is {@value #NAME}. */
    List<String> brokerProperties() {
        String prefix = "listener.name." + NAME.toLowerCase() + ".";
        return List.of(
                "sasl.enabled.mechanisms=" + MECHANISM,
                prefix + MECHANISM.toLowerCase() + ".sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                prefix + "ssl.keystore.location=" + keystore,
                prefix + "ssl.keystore.password=" + keystorePassword,
                prefix + "ssl.key.password=" + keystorePassword,
                prefix + "ssl.keystore.type=" + STORE_TYPE);
    }

    /** How the worker reaches this listener as {@code user}, through the environment only, as a deployment does. */
    public Map<String, String> workerEnvironment(String bootstrap, String user, String password) {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", MECHANISM,
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"" + user + "\" password=\"" + password + "\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString(),
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", truststorePassword,
                "KAFKA_SSL_TRUSTSTORE_TYPE", STORE_TYPE);
    }

    private void makeStores(Path dir) {
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.crt");
        Path request = dir.resolve("broker.csr");
        Path signed = dir.resolve("broker.crt");
        String caPassword = secret();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=generation-worker test CA", "-ext", "bc:c",
                "-keystore", ca.toString(), "-storetype", STORE_TYPE, "-storepass", caPassword);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-file", caCert.toString());
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-keystore", keystore.toString(), "-storetype", STORE_TYPE,
                "-storepass", keystorePassword);
        keytool("-certreq", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", keystorePassword,
                "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", caPassword,
                "-infile", request.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "2",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-ext", "KU=digitalSignature,keyEncipherment",
                "-ext", "EKU=serverAuth");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(),
                "-keystore", keystore.toString(), "-storepass", keystorePassword);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", signed.toString(),
                "-keystore", keystore.toString(), "-storepass", keystorePassword);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(),
                "-keystore", truststore.toString(), "-storetype", STORE_TYPE, "-storepass", truststorePassword);
    }

    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool", e);
        }
    }
}
