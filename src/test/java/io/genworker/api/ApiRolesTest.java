package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ApiRolesTest {

    @Test
    void anOperatorIsAViewerToo() {
        assertThat(ApiRoles.of(List.of("operator"))).containsExactlyInAnyOrder("operator", "viewer");
    }

    @Test
    void aViewerIsOnlyAViewer() {
        assertThat(ApiRoles.of(List.of("viewer", "admin"))).containsExactly("viewer");
    }

    @Test
    void rolesTheApiDoesNotKnowGrantNothing() {
        assertThat(ApiRoles.of(List.of("admin", "Operator", "VIEWER", ""))).isEmpty();
        assertThat(ApiRoles.of(Set.of())).isEmpty();
    }
}
