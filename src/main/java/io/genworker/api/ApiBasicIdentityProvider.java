package io.genworker.api;

import java.security.SecureRandom;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * HTTP Basic for the API's two generated users, when {@code worker.api.basic.enabled} allows it; otherwise every
 * Basic credential is refused. The passwords are read (or generated) once at start-up, so checking one blocks
 * nothing.
 */
@ApplicationScoped
public class ApiBasicIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(ApiBasicIdentityProvider.class);

    private final ApiConfig config;
    private volatile Optional<ApiCredentials> credentials = Optional.empty();

    @Inject
    public ApiBasicIdentityProvider(ApiConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent start) {
        if (!config.enabled() || !config.basic().enabled()) {
            return;
        }
        credentials = Optional.of(ApiCredentials.loadOrCreate(config.credentialsFile(), new SecureRandom()));
        LOG.infof("API: HTTP Basic users %s, passwords in %s", ApiCredentials.USERS,
                config.credentialsFile().toAbsolutePath());
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String user = request.getUsername();
        boolean known = credentials.map(c -> c.matches(user, request.getPassword().getPassword())).orElse(false);
        if (!known) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom().item(identityOf(user));
    }

    /**
     * Whether a name from a console session cookie is still one of the generated users: the cookie is encrypted
     * by the server, but Basic may have been turned off since it was made.
     */
    boolean knows(String user) {
        return credentials.isPresent() && ApiCredentials.USERS.contains(user);
    }

    /** A generated user's identity: the user's name is its role. */
    static SecurityIdentity identityOf(String user) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user))
                .addRole(user)
                .build();
    }
}
