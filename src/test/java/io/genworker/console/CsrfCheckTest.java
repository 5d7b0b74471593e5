package io.genworker.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfCheckTest {

    private static final String HOST = "worker.example:8080";

    @Test
    void aSameOriginActionWithTheCookiesTokenInItsHeaderGoesOn() {
        String token = CsrfCheck.newToken();
        assertThat(CsrfCheck.refusal(token, token, "same-origin", "http://worker.example:8080", HOST)).isEmpty();
        assertThat(CsrfCheck.refusal(token, token, null, null, HOST)).as("an older browser").isEmpty();
    }

    @Test
    void aMissingOrDifferentTokenIsRefused() {
        String token = CsrfCheck.newToken();
        assertThat(CsrfCheck.refusal(null, token, "same-origin", null, HOST)).hasValueSatisfying(
                why -> assertThat(why).contains("X-CSRF-Token"));
        assertThat(CsrfCheck.refusal(token, null, "same-origin", null, HOST)).isPresent();
        assertThat(CsrfCheck.refusal(CsrfCheck.newToken(), token, "same-origin", null, HOST)).isPresent();
        assertThat(CsrfCheck.refusal("", "", "same-origin", null, HOST)).isPresent();
    }

    @Test
    void aRequestTheBrowserSaysIsCrossSiteOrFromAnotherOriginIsRefusedEvenWithTheToken() {
        String token = CsrfCheck.newToken();
        assertThat(CsrfCheck.refusal(token, token, "cross-site", null, HOST)).isPresent();
        assertThat(CsrfCheck.refusal(token, token, "same-site", null, HOST)).isPresent();
        assertThat(CsrfCheck.refusal(token, token, null, "https://attacker.example", HOST)).isPresent();
        assertThat(CsrfCheck.refusal(token, token, null, "null", HOST)).as("an opaque origin").isPresent();
    }

    @Test
    void aProxyEndingTlsInFrontOfTheWorkerDoesNotMakeTheOriginForeign() {
        String token = CsrfCheck.newToken();
        assertThat(CsrfCheck.refusal(token, token, "same-origin", "https://worker.example:8080", HOST)).isEmpty();
    }

    @Test
    void anAuthorityNamingTheSchemesDefaultPortIsTheOriginWithoutIt() {
        String token = CsrfCheck.newToken();
        assertThat(CsrfCheck.refusal(token, token, "same-origin", "https://console.example", "console.example:443"))
                .isEmpty();
        assertThat(CsrfCheck.refusal(token, token, "same-origin", "http://console.example", "console.example:80"))
                .isEmpty();
        assertThat(CsrfCheck.refusal(token, token, "same-origin", "https://console.example", "console.example:8443"))
                .isPresent();
    }

    @Test
    void onlyStateChangingMethodsNeedTheToken() {
        assertThat(CsrfCheck.unsafe("GET")).isFalse();
        assertThat(CsrfCheck.unsafe("HEAD")).isFalse();
        assertThat(CsrfCheck.unsafe("POST")).isTrue();
        assertThat(CsrfCheck.unsafe("DELETE")).isTrue();
    }

    @Test
    void onlyATokenOfTheGuardsOwnShapeIsEverPutInAPage() {
        assertThat(CsrfCheck.wellFormed(CsrfCheck.newToken())).isTrue();
        assertThat(CsrfCheck.wellFormed("a\",\"HX-Foo\":\"x")).as("tossed by a sibling domain").isFalse();
        assertThat(CsrfCheck.wellFormed("")).isFalse();
        assertThat(CsrfCheck.wellFormed(null)).isFalse();
    }

    @Test
    void tokensAreLongAndNeverRepeat() {
        assertThat(CsrfCheck.newToken()).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(CsrfCheck.newToken());
    }
}
