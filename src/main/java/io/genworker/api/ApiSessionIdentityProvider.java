package io.genworker.api;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/**
 * The identity behind a console session: the form mechanism's encrypted cookie names a user it authenticated
 * earlier through {@link ApiBasicIdentityProvider}; this turns the name back into that user, while the user still
 * exists (Basic still enabled).
 */
@ApplicationScoped
public class ApiSessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

    private final ApiBasicIdentityProvider users;

    public ApiSessionIdentityProvider(ApiBasicIdentityProvider users) {
        this.users = users;
    }

    @Override
    public Class<TrustedAuthenticationRequest> getRequestType() {
        return TrustedAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TrustedAuthenticationRequest request,
            AuthenticationRequestContext context) {
        String user = request.getPrincipal();
        if (!users.knows(user)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom().item(ApiBasicIdentityProvider.identityOf(user));
    }
}
