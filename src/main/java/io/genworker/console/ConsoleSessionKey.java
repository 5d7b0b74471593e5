package io.genworker.console;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * A session encryption key for the console's form login when none is configured: made up once per process, never
 * logged (Quarkus would otherwise make one up itself and print it in a warning). A worker with it signs every
 * browser out when it restarts, and several workers behind one address each reject the others' cookies; so
 * {@link ConsoleStartup} says so at start-up, and deployments set {@code quarkus.http.auth.session.encryption-key}.
 * The lowest ordinal: any configured value wins. It lists no property names, only answers when asked: the build
 * records the values of the names a source lists into the packaged application, and a key must never be in it.
 */
public class ConsoleSessionKey implements ConfigSource {

    static final String PROPERTY = "quarkus.http.auth.session.encryption-key";
    private static final String KEY = newKey();

    private static String newKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Whether the key in use is this made-up one. */
    static boolean madeUp(String configured) {
        return KEY.equals(configured);
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTY.equals(propertyName) ? KEY : null;
    }

    @Override
    public String getName() {
        return "genworker-console-session-key";
    }

    @Override
    public int getOrdinal() {
        return 1;
    }
}
