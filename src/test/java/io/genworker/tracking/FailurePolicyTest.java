package io.genworker.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.job.ErrorCode;
import io.genworker.job.JobRecord;
import io.genworker.polling.PollPolicy;
import io.genworker.provider.ProviderCallException;
import io.genworker.provider.ProviderErrors;
import io.genworker.provider.ProviderOperation;

/** What a job does after a failed call, as one table: fault x phase x deadline x Retry-After x paused. */
class FailurePolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration FAR = Duration.ofMinutes(20);
    private static final Duration NEAR = Duration.ofSeconds(3);
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(new ObjectMapper());
    private static final PollPolicy BACKOFF = PollPolicy.fixed(CATALOGUE, Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(1));
    private static final ProviderOperation SUBMIT = ProviderOperation.SUBMIT;
    private static final ProviderOperation POLL = ProviderOperation.POLL;

    private static final Duration ACCOUNT_WAIT = Duration.ofHours(24);
    private final FailurePolicy policy = new FailurePolicy(BACKOFF, false, ACCOUNT_WAIT);
    private final FailurePolicy resubmitting = new FailurePolicy(BACKOFF, true, ACCOUNT_WAIT);

    /** The expected reaction: its kind, and for a failure its code. */
    private enum Expect { RETRY, WAIT_FOR_ACCOUNT, FAIL }

    static Stream<Arguments> table() {
        return Stream.of(
                // phase, HTTP status (0: no answer, ambiguous), Retry-After s, deadline in, paused, reaction, code
                Arguments.of(SUBMIT, 429, null, FAR, false, Expect.RETRY, null),
                Arguments.of(SUBMIT, 503, 5, FAR, false, Expect.RETRY, null),
                Arguments.of(POLL, 500, null, FAR, false, Expect.RETRY, null),
                Arguments.of(POLL, 429, 5, FAR, false, Expect.RETRY, null),
                Arguments.of(SUBMIT, 429, 60, NEAR, false, Expect.FAIL, ErrorCode.RATE_LIMITED),
                Arguments.of(POLL, 429, 60, NEAR, false, Expect.FAIL, ErrorCode.RATE_LIMITED),
                Arguments.of(SUBMIT, 503, 60, NEAR, false, Expect.FAIL, ErrorCode.PROVIDER_UNAVAILABLE),
                // a paused provider's jobs wait for it, whatever the deadline says
                Arguments.of(SUBMIT, 429, 60, NEAR, true, Expect.RETRY, null),
                Arguments.of(SUBMIT, 504, null, FAR, false, Expect.FAIL, ErrorCode.SUBMIT_UNCERTAIN),
                Arguments.of(SUBMIT, 0, null, FAR, false, Expect.FAIL, ErrorCode.SUBMIT_UNCERTAIN),
                Arguments.of(POLL, 504, null, FAR, false, Expect.RETRY, null),
                Arguments.of(POLL, 0, null, FAR, false, Expect.RETRY, null),
                Arguments.of(SUBMIT, 401, null, FAR, true, Expect.WAIT_FOR_ACCOUNT, null),
                Arguments.of(POLL, 406, null, NEAR, true, Expect.WAIT_FOR_ACCOUNT, null),
                Arguments.of(SUBMIT, 400, null, FAR, false, Expect.FAIL, ErrorCode.PROVIDER_REJECTED),
                Arguments.of(POLL, 422, null, FAR, false, Expect.FAIL, ErrorCode.PROVIDER_REJECTED),
                Arguments.of(SUBMIT, 404, null, FAR, false, Expect.FAIL, ErrorCode.PROVIDER_REJECTED),
                Arguments.of(POLL, 404, null, FAR, false, Expect.FAIL, ErrorCode.RESULT_EXPIRED));
    }

    @ParameterizedTest(name = "{0} answered {1}, Retry-After {2}, deadline in {3}, paused {4}: {5} {6}")
    @MethodSource("table")
    void reactsAsTheTableSays(ProviderOperation phase, int status, Integer retryAfter, Duration deadlineIn,
            boolean paused, Expect expected, ErrorCode code) {
        JobRecord job = job(deadlineIn);
        Reaction reaction = policy.afterFailure(phase, failure(phase, status, retryAfter), job,
                ErrorStreak.NONE, paused, NOW);

        switch (expected) {
            case RETRY -> {
                assertThat(reaction).isInstanceOf(Reaction.Retry.class);
                Reaction.Retry retry = (Reaction.Retry) reaction;
                assertThat(retry.streak()).isEqualTo(new ErrorStreak(1, status == 429));
                assertThat(retry.honoursRetryAfter()).isEqualTo(retryAfter != null);
                assertThat(NOW.plus(retry.delay())).isBeforeOrEqualTo(job.deadline());
                if (retryAfter != null && !paused) {
                    assertThat(retry.delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(retryAfter));
                }
            }
            case WAIT_FOR_ACCOUNT -> assertThat(reaction).isInstanceOf(Reaction.WaitForAccount.class);
            case FAIL -> {
                assertThat(reaction).isInstanceOf(Reaction.Fail.class);
                assertThat(((Reaction.Fail) reaction).code()).isEqualTo(code);
            }
        }
    }

    @Test
    void aRetryCarriesTheStreakOnAndRemembersTheLastErrorsKind() {
        Reaction.Retry retry = (Reaction.Retry) policy.afterFailure(POLL, failure(POLL, 503, null), job(FAR),
                new ErrorStreak(2, true), false, NOW);

        assertThat(retry.streak()).isEqualTo(new ErrorStreak(3, false));
    }

    @Test
    void anAmbiguousSubmissionIsRetriedOnlyWhenResubmittingIsConfigured() {
        assertThat(resubmitting.afterFailure(SUBMIT, failure(SUBMIT, 504, null), job(FAR), ErrorStreak.NONE, false,
                NOW)).isInstanceOf(Reaction.Retry.class);
    }

    @Test
    void aRetryAfterPastTheDeadlineSaysHowLongTheProviderAskedToWait() {
        Reaction reaction = policy.afterFailure(POLL, failure(POLL, 429, 60), job(NEAR), ErrorStreak.NONE, false, NOW);

        assertThat(((Reaction.Fail) reaction).message()).contains("asked to wait 60 s");
    }

    @Test
    void backoffGrowsWithTheStreakButNeverPassesTheDeadline() {
        ErrorStreak long_ = new ErrorStreak(12, false);
        Reaction.Retry far = (Reaction.Retry) policy.afterFailure(POLL, failure(POLL, 500, null), job(FAR), long_,
                false, NOW);
        Reaction.Retry near = (Reaction.Retry) policy.afterFailure(POLL, failure(POLL, 500, null), job(NEAR), long_,
                false, NOW);

        assertThat(far.streak().errors()).isEqualTo(13);
        assertThat(far.delay()).isGreaterThan(NEAR);
        assertThat(near.delay()).isLessThanOrEqualTo(NEAR);
    }

    @Test
    void anAccountFaultOnAPollKeepsTheStreakAndOnASubmissionRecordsIt() {
        ErrorStreak rateLimited = new ErrorStreak(2, true);

        Reaction.WaitForAccount poll = (Reaction.WaitForAccount) policy.afterFailure(POLL, failure(POLL, 401, null),
                job(FAR), rateLimited, true, NOW);
        Reaction.WaitForAccount submit = (Reaction.WaitForAccount) policy.afterFailure(SUBMIT,
                failure(SUBMIT, 401, null), job(FAR), rateLimited, true, NOW);

        assertThat(poll.streak()).isEqualTo(rateLimited);
        assertThat(submit.streak()).isEqualTo(new ErrorStreak(2, false));
    }

    @Test
    void beforeItsDeadlineNoJobExpires() {
        assertThat(policy.expired(POLL, job(NEAR), ErrorStreak.NONE, false, NOW)).isEmpty();
    }

    @Test
    void atItsDeadlineAJobTimesOutSayingWhereItWas() {
        Instant later = NOW.plus(NEAR);

        assertThat(policy.expired(SUBMIT, job(NEAR), ErrorStreak.NONE, false, later)).hasValueSatisfying(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(f.message()).contains("before the job could be submitted");
        });
        assertThat(policy.expired(POLL, job(NEAR), ErrorStreak.NONE, false, later)).hasValueSatisfying(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.TIMEOUT);
            assertThat(f.message()).contains("did not finish");
        });
    }

    @Test
    void aDeadlinePassedDuringErrorsNamesTheLastError() {
        Instant later = NOW.plus(NEAR);

        assertThat(policy.expired(POLL, job(NEAR), new ErrorStreak(3, true), false, later))
                .hasValueSatisfying(f -> assertThat(f.code()).isEqualTo(ErrorCode.RATE_LIMITED));
        assertThat(policy.expired(SUBMIT, job(NEAR), new ErrorStreak(3, false), false, later))
                .hasValueSatisfying(f -> assertThat(f.code()).isEqualTo(ErrorCode.PROVIDER_UNAVAILABLE));
    }

    @Test
    void aPausedProvidersJobsDoNotTimeOut() {
        assertThat(policy.expired(POLL, job(NEAR), ErrorStreak.NONE, true, NOW.plus(FAR))).isEmpty();
    }

    @Test
    void aPausedProvidersJobsFailOnceTheyWaitedTheirLongestPastTheDeadline() {
        Instant waitedOut = NOW.plus(NEAR).plus(ACCOUNT_WAIT);

        assertThat(policy.expired(SUBMIT, job(NEAR), ErrorStreak.NONE, true, waitedOut.minusSeconds(1))).isEmpty();
        assertThat(policy.expired(SUBMIT, job(NEAR), ErrorStreak.NONE, true, waitedOut)).hasValueSatisfying(f -> {
            assertThat(f.code()).isEqualTo(ErrorCode.ACCOUNT_REFUSED);
            assertThat(f.message()).contains("refused the account");
        });
        assertThat(policy.expired(POLL, job(NEAR), new ErrorStreak(2, true), true, waitedOut))
                .hasValueSatisfying(f -> assertThat(f.code()).isEqualTo(ErrorCode.ACCOUNT_REFUSED));
    }

    private static JobRecord job(Duration deadlineIn) {
        return JobRecord.requested("job-1", "aimlapi", "pixverse/v5/text-to-video", null, null, NOW,
                NOW.plus(deadlineIn));
    }

    private static ProviderCallException failure(ProviderOperation phase, int status, Integer retryAfter) {
        if (status == 0) {
            return ProviderErrors.fromTransport("aimlapi", phase, new java.io.IOException("reset"));
        }
        return ProviderErrors.fromResponse("aimlapi", phase, status, retryAfter == null ? null : retryAfter.toString(),
                "{}", NOW);
    }
}
