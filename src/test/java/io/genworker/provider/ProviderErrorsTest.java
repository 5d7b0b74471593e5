package io.genworker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderErrorsTest {

    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "400, JOB_FATAL",
            "401, PROVIDER_WIDE",
            "403, PROVIDER_WIDE",
            "404, EXPIRED",
            "406, PROVIDER_WIDE",
            "408, NOT_ACCEPTED",
            "422, JOB_FATAL",
            "429, NOT_ACCEPTED",
            "500, NOT_ACCEPTED",
            "502, NOT_ACCEPTED",
            "503, NOT_ACCEPTED",
            "504, AMBIGUOUS",
            "501, AMBIGUOUS",
            "599, AMBIGUOUS",
            "409, JOB_FATAL",
            "413, JOB_FATAL" })
    void classifiesEachHttpStatus(int status, ProviderFault expected) {
        assertThat(ProviderErrors.classify(status, ProviderOperation.POLL)).isEqualTo(expected);
    }

    @Test
    void aBadGatewayOnASubmissionMayHaveStartedThePaidGenerationButOnAPollIsRetried() {
        assertThat(ProviderErrors.classify(502, ProviderOperation.SUBMIT)).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(ProviderErrors.classify(502, ProviderOperation.POLL)).isEqualTo(ProviderFault.NOT_ACCEPTED);
        assertThat(ProviderErrors.classify(503, ProviderOperation.SUBMIT)).isEqualTo(ProviderFault.NOT_ACCEPTED);
    }

    @Test
    void onlyTransientFaultsAreRetriedByPolls() {
        assertThat(ProviderFault.NOT_ACCEPTED.retryablePoll()).isTrue();
        assertThat(ProviderFault.AMBIGUOUS.retryablePoll()).isTrue();
        assertThat(ProviderFault.JOB_FATAL.retryablePoll()).isFalse();
        assertThat(ProviderFault.EXPIRED.retryablePoll()).isFalse();
        assertThat(ProviderFault.PROVIDER_WIDE.retryablePoll()).isFalse();
    }

    @Test
    void readsRetryAfterInSeconds() {
        assertThat(ProviderErrors.parseRetryAfter("5", NOW)).isEqualTo(Duration.ofSeconds(5));
        assertThat(ProviderErrors.parseRetryAfter(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void ignoresANegativeRetryAfter() {
        assertThat(ProviderErrors.parseRetryAfter("-1", NOW)).isNull();
    }

    @Test
    void ignoresAnUnreadableRetryAfter() {
        assertThat(ProviderErrors.parseRetryAfter("abc", NOW)).isNull();
    }

    @Test
    void treatsAMissingRetryAfterAsNone() {
        assertThat(ProviderErrors.parseRetryAfter(null, NOW)).isNull();
        assertThat(ProviderErrors.parseRetryAfter("  ", NOW)).isNull();
    }

    @Test
    void readsRetryAfterAsAnHttpDate() {
        assertThat(ProviderErrors.parseRetryAfter("Sat, 01 Mar 2025 12:00:30 GMT", NOW))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void treatsAPastHttpDateAsNoWait() {
        assertThat(ProviderErrors.parseRetryAfter("Sat, 01 Mar 2025 11:59:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    }

    @Test
    void classifiesAResponseWithItsStatusAndRetryAfter() {
        ProviderCallException e = ProviderErrors.fromResponse("aimlapi", ProviderOperation.SUBMIT, 429, "7",
                "{\"error\":\"slow down\"}", NOW);

        assertThat(e.fault()).isEqualTo(ProviderFault.NOT_ACCEPTED);
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.rateLimited()).isTrue();
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.getMessage()).isEqualTo("aimlapi submit answered HTTP 429: {\"error\":\"slow down\"}");
    }

    @Test
    void treatsARefusedConnectionAsNeverSent() {
        ProviderCallException e = ProviderErrors.fromTransport("aimlapi", ProviderOperation.SUBMIT,
                new CompletionException(new IOException("connect failed", new ConnectException("Connection refused"))));

        assertThat(e.fault()).isEqualTo(ProviderFault.NOT_ACCEPTED);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.retryAfter()).isNull();
    }

    @Test
    void treatsAnUnknownHostAsNeverSent() {
        ProviderCallException e = ProviderErrors.fromTransport("aimlapi", ProviderOperation.POLL,
                new UnknownHostException("api.aimlapi.com"));

        assertThat(e.fault()).isEqualTo(ProviderFault.NOT_ACCEPTED);
    }

    @Test
    void treatsATimeoutAsAmbiguous() {
        ProviderCallException e = ProviderErrors.fromTransport("aimlapi", ProviderOperation.SUBMIT,
                new TimeoutException("read timed out"));

        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(e.httpStatus()).isZero();
        assertThat(e.getMessage()).isEqualTo("aimlapi submit failed without an answer: TimeoutException");
    }

    @Test
    void passesAnAlreadyClassifiedFailureThrough() {
        ProviderCallException classified = new ProviderCallException(ProviderFault.JOB_FATAL, 422, null, "bad");

        assertThat(ProviderErrors.fromTransport("aimlapi", ProviderOperation.SUBMIT, classified)).isSameAs(classified);
    }

    @Test
    void clipsALongResponseBodyInTheMessage() {
        String body = "x".repeat(5_000);
        String prefix = "aimlapi poll answered HTTP 500: ";

        ProviderCallException e = ProviderErrors.fromResponse("aimlapi", ProviderOperation.POLL, 500, null, body, NOW);

        assertThat(e.getMessage()).startsWith(prefix).hasSizeLessThanOrEqualTo(prefix.length() + 303)
                .endsWith("...");
        assertThat(e.getMessage().length() - prefix.length()).isBetween(300, 303);
    }

    @Test
    void clipsALongBodyOfAnUnreadableAnswer() {
        ProviderCallException e = ProviderErrors.unreadable("aimlapi", ProviderOperation.POLL, "malformed JSON",
                "{" + "y".repeat(10_000));

        assertThat(e.fault()).isEqualTo(ProviderFault.AMBIGUOUS);
        assertThat(e.getMessage()).hasSizeLessThan(400);
    }

    @Test
    void flattensWhitespaceInTheBody() {
        ProviderCallException e = ProviderErrors.fromResponse("aimlapi", ProviderOperation.SUBMIT, 400, null,
                "{\n  \"message\":\t\"bad\"\n}\n", NOW);

        assertThat(e.getMessage()).isEqualTo("aimlapi submit answered HTTP 400: { \"message\": \"bad\" }");
        assertThat(e.fault()).isEqualTo(ProviderFault.JOB_FATAL);
    }

    @Test
    void keepsAShortBodyWhole() {
        assertThat(ProviderErrors.clip(null)).isEmpty();
        assertThat(ProviderErrors.clip("x".repeat(300))).hasSize(300);
        assertThat(ProviderErrors.clip("x".repeat(301))).isEqualTo("x".repeat(300) + "...");
    }
}
