package io.genworker.api;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The Basic users of the API, one per role ({@code operator}, {@code viewer}), and their passwords, kept in a
 * properties file only its owner may read. The first start writes the file with fresh random passwords (created
 * with mode 600 before a byte is written, then linked into place so that no reader ever sees half of it); later
 * starts read it. A file the owner's group or others could read or write is refused rather than used.
 */
public final class ApiCredentials {

    /** The users, each named after the role it has. */
    public static final List<String> USERS = List.of(ApiRoles.OPERATOR, ApiRoles.VIEWER);
    static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    /** 32 random bytes, URL-safe base64: 256 bits, typeable in a shell. */
    private static final int PASSWORD_BYTES = 32;

    private final Map<String, byte[]> passwords;

    private ApiCredentials(Map<String, byte[]> passwords) {
        this.passwords = passwords;
    }

    /**
     * Reads the file, or creates it when there is none.
     *
     * @throws IllegalStateException when the file is open to others, or lacks a user
     */
    public static ApiCredentials loadOrCreate(Path file, SecureRandom random) {
        try {
            if (!Files.exists(file)) {
                create(file, random);
            }
            return load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("API credentials file " + file + " cannot be used", e);
        }
    }

    /** Whether the password is the user's; compares in time independent of where they differ. */
    public boolean matches(String user, char[] password) {
        byte[] expected = passwords.get(user);
        if (expected == null || password == null) {
            return false;
        }
        byte[] given = new String(password).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = posix(dir)
                ? Files.createTempFile(dir, ".api-credentials", ".tmp",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, ".api-credentials", ".tmp");
        try {
            Properties properties = new Properties();
            for (String user : USERS) {
                byte[] secret = new byte[PASSWORD_BYTES];
                random.nextBytes(secret);
                properties.setProperty(user, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            }
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                properties.store(out, "generation-worker API users (HTTP Basic); keep this file private");
            }
            // A hard link appears whole and never replaces a file: of two workers starting at once on the same
            // path, the first one's file stays and the other one reads it.
            try {
                Files.createLink(file, temp);
            } catch (UnsupportedOperationException e) {
                Files.move(temp, file);
            }
        } catch (FileAlreadyExistsException e) {
            // another process created it first
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static ApiCredentials load(Path file) throws IOException {
        Optional<Set<PosixFilePermission>> permissions = permissions(file);
        if (permissions.isPresent() && !OWNER_ONLY.containsAll(permissions.get())) {
            throw new IllegalStateException("API credentials file " + file + " is open to others ("
                    + PosixFilePermissions.toString(permissions.get()) + "): make it rw------- (chmod 600)");
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        Map<String, byte[]> passwords = new java.util.HashMap<>();
        for (String user : USERS) {
            String password = properties.getProperty(user);
            if (password == null || password.isBlank()) {
                throw new IllegalStateException("API credentials file " + file + " has no password for user '"
                        + user + "'");
            }
            passwords.put(user, password.strip().getBytes(StandardCharsets.UTF_8));
        }
        return new ApiCredentials(Map.copyOf(passwords));
    }

    static Optional<Set<PosixFilePermission>> permissions(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        return view == null ? Optional.empty() : Optional.of(view.readAttributes().permissions());
    }

    private static boolean posix(Path dir) {
        return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    }
}
