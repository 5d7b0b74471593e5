package io.genworker.api;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The API's two roles. {@link #VIEWER} reads jobs without their inputs; {@link #OPERATOR} can do all a viewer can,
 * and submit, cancel, retry, act in bulk and see inputs. A caller's roles are whatever its credential grants
 * (a token's roles claim, a Basic user's name) reduced to these two, an operator being a viewer too: read endpoints
 * need only {@code @RolesAllowed(VIEWER)}.
 */
public final class ApiRoles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";

    private ApiRoles() {
    }

    /** The API roles a credential's roles amount to; names the API does not know give none. */
    public static Set<String> of(Collection<String> granted) {
        Set<String> roles = new LinkedHashSet<>();
        if (granted.contains(OPERATOR)) {
            roles.add(OPERATOR);
            roles.add(VIEWER);
        } else if (granted.contains(VIEWER)) {
            roles.add(VIEWER);
        }
        return Set.copyOf(roles);
    }
}
