package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void theFirstStartWritesAPasswordPerUserReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("nested/api-credentials.properties");

        ApiCredentials credentials = ApiCredentials.loadOrCreate(file, new SecureRandom());

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(ApiCredentials.OWNER_ONLY);
        Properties written = read(file);
        assertThat(written.stringPropertyNames()).containsExactlyInAnyOrder("operator", "viewer");
        String operator = written.getProperty("operator");
        assertThat(operator).hasSize(43).isNotEqualTo(written.getProperty("viewer"));
        assertThat(credentials.matches("operator", operator.toCharArray())).isTrue();
        assertThat(credentials.matches("viewer", operator.toCharArray())).isFalse();
        assertThat(credentials.matches("admin", operator.toCharArray())).isFalse();
        assertThat(credentials.matches("operator", null)).isFalse();
        try (var left = Files.list(file.getParent())) {
            assertThat(left).containsExactly(file);
        }
    }

    @Test
    void laterStartsKeepThePasswords() throws Exception {
        Path file = dir.resolve("api-credentials.properties");
        ApiCredentials.loadOrCreate(file, new SecureRandom());
        String before = Files.readString(file);

        ApiCredentials again = ApiCredentials.loadOrCreate(file, new SecureRandom());

        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(again.matches("viewer", read(file).getProperty("viewer").toCharArray())).isTrue();
    }

    @Test
    void aFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("api-credentials.properties");
        ApiCredentials.loadOrCreate(file, new SecureRandom());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> ApiCredentials.loadOrCreate(file, new SecureRandom()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("chmod 600")
                .hasMessageNotContaining(read(file).getProperty("operator"));
    }

    @Test
    void aFileWithoutAUserIsRefused() throws Exception {
        Path file = dir.resolve("api-credentials.properties");
        Files.writeString(file, "operator=secret\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, ApiCredentials.OWNER_ONLY);

        assertThatThrownBy(() -> ApiCredentials.loadOrCreate(file, new SecureRandom()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'viewer'")
                .hasMessageNotContaining("secret");
    }

    private static Properties read(Path file) throws Exception {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        return properties;
    }
}
