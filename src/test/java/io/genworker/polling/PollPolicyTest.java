package io.genworker.polling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.job.JobRecord;

/** The poll policy on a fixed clock: every delay here is computed, nothing waits. */
class PollPolicyTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.fromClasspath(MAPPER);
    private static final Instant SUBMITTED = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration FIRST_POLL = Duration.ofSeconds(5);
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration POLL_COST = Duration.ofMillis(500);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private final PollPolicy fixed = PollPolicy.fixed(CATALOGUE, FIRST_POLL, INTERVAL, Duration.ofSeconds(1),
            Duration.ofSeconds(60), new Random(1));
    private static final FailureLearning FAILURES = new FailureLearning(true, 0.003, Duration.ofSeconds(10));

    private final PollPolicy adaptive = adaptive(FAILURES);
    private final PollPolicy successesOnly = adaptive(FailureLearning.OFF);

    private static PollPolicy adaptive(FailureLearning failures) {
        return PollPolicy.adaptive(CATALOGUE, POLL_COST, MIN_INTERVAL, INTERVAL, 20, 200, failures,
                Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(1));
    }

    private static JobRecord submitted(String model, String provider, String inputJson, Duration timeout) {
        try {
            ObjectNode input = (ObjectNode) MAPPER.readTree(inputJson);
            return JobRecord.requested("job-1", provider, model, input, null, SUBMITTED, SUBMITTED.plus(timeout))
                    .submitting(SUBMITTED)
                    .submitted("gen-1", null, SUBMITTED);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JobRecord imageToVideo() {
        return submitted("pixverse/v5/image-to-video", "aimlapi", "{\"prompt\":\"p\",\"image_url\":\"https://x/y.png\"}",
                Duration.ofMinutes(20));
    }

    private static JobRecord textToVideo(String resolution, int seconds) {
        return submitted("pixverse/v5/text-to-video", "aimlapi",
                "{\"prompt\":\"p\",\"resolution\":\"" + resolution + "\",\"duration\":" + seconds + "}",
                Duration.ofMinutes(20));
    }

    private static Instant at(double secondsAfterSubmission) {
        return SUBMITTED.plusMillis(Math.round(secondsAfterSubmission * 1000));
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    @Test
    void fixedPollsFirstAfterTheFirstDelayThenAtTheInterval() {
        JobRecord job = imageToVideo();

        assertThat(fixed.nextPoll(job, 0, at(0))).isEqualTo(FIRST_POLL);
        assertThat(fixed.nextPoll(job, 1, at(5))).isEqualTo(INTERVAL);
        assertThat(fixed.nextPoll(job, 40, at(400))).isEqualTo(INTERVAL);
    }

    @Test
    void adaptiveFirstPollJumpsToWhereTheDocumentedTimesBegin() {
        // The docs give 60-90 s for image-to-video: polling before about a minute would only find it running.
        double first = seconds(adaptive.nextPoll(imageToVideo(), 0, at(0)));

        assertThat(first).isBetween(45.0, 65.0);
    }

    @Test
    void adaptiveFirstPollFollowsResolutionAndVideoLength() {
        double at720p = seconds(adaptive.nextPoll(textToVideo("720p", 5), 0, at(0)));
        double at1080p = seconds(adaptive.nextPoll(textToVideo("1080p", 5), 0, at(0)));
        double eightSeconds = seconds(adaptive.nextPoll(textToVideo("720p", 8), 0, at(0)));

        assertThat(at720p).as("720p, documented 30-40 s").isBetween(20.0, 35.0);
        assertThat(at1080p).as("1080p, documented about 75 s").isGreaterThan(at720p + 20);
        assertThat(eightSeconds).as("an 8-second video takes longer than a 5-second one").isGreaterThan(at720p);
    }

    @Test
    void adaptivePollsGetDenserWhereMostGenerationsEnd() {
        JobRecord job = imageToVideo();

        double early = seconds(adaptive.nextPoll(job, 1, at(62)));
        double middle = seconds(adaptive.nextPoll(job, 3, at(75)));
        double late = seconds(adaptive.nextPoll(job, 6, at(90)));

        assertThat(early).isGreaterThan(middle);
        assertThat(middle).isGreaterThan(late);
        assertThat(late).isGreaterThanOrEqualTo(seconds(MIN_INTERVAL));
    }

    @Test
    void adaptiveNeverPollsOneJobFasterThanTheMinimumInterval() {
        JobRecord job = imageToVideo();
        for (double age = 0; age < 120; age += 0.5) {
            assertThat(adaptive.nextPoll(job, 1, at(age))).isGreaterThanOrEqualTo(MIN_INTERVAL);
        }
    }

    @Test
    void aJobPastNearlyAllOfItsKindIsPolledAtTheFixedInterval() {
        assertThat(adaptive.nextPoll(imageToVideo(), 12, at(300))).isEqualTo(INTERVAL);
    }

    @Test
    void adaptiveLearnsFromFinishedGenerationsOfTheSameKindOnly() {
        JobRecord job = imageToVideo();
        for (int i = 0; i < 200; i++) {
            // The provider got faster: generations now end between 18 and 22 s.
            double end = 18 + (i % 5);
            adaptive.generationEnded(job, at(end - 1), at(end), Ending.SUCCEEDED);
        }

        double learned = seconds(adaptive.nextPoll(job, 0, at(0)));
        double otherKind = seconds(adaptive.nextPoll(textToVideo("1080p", 5), 0, at(0)));

        assertThat(learned).isBetween(12.0, 20.0);
        assertThat(otherKind).as("1080p text-to-video keeps its own times").isGreaterThan(55.0);
    }

    @Test
    void aGenerationEndedBeforeItsSubmissionIsIgnored() {
        JobRecord job = imageToVideo();
        double before = seconds(adaptive.nextPoll(job, 0, at(0)));

        adaptive.generationEnded(job, at(30), at(20), Ending.SUCCEEDED);
        adaptive.generationEnded(job, null, at(20), Ending.FAILED);

        assertThat(seconds(adaptive.nextPoll(job, 0, at(0)))).isEqualTo(before);
    }

    @Test
    void noPollIsScheduledPastTheDeadline() {
        JobRecord job = submitted("pixverse/v5/image-to-video", "aimlapi",
                "{\"prompt\":\"p\",\"image_url\":\"https://x/y.png\"}", Duration.ofSeconds(30));

        assertThat(adaptive.nextPoll(job, 0, at(0))).isEqualTo(Duration.ofSeconds(30));
        assertThat(fixed.nextPoll(job, 2, at(25))).isEqualTo(Duration.ofSeconds(5));
        assertThat(adaptive.nextPoll(job, 3, at(31))).isZero();
    }

    @Test
    void retryAfterIsHonouredButNotPastTheDeadline() {
        JobRecord job = imageToVideo();

        assertThat(adaptive.afterError(job, 1, Duration.ofSeconds(30), at(70))).isEqualTo(Duration.ofSeconds(30));
        assertThat(adaptive.afterError(job, 1, Duration.ofHours(1), at(70)))
                .isEqualTo(Duration.ofMinutes(20).minusSeconds(70));
    }

    @Test
    void backoffAfterTransientErrorsGrowsWithEachConsecutiveError() {
        JobRecord job = imageToVideo();

        assertThat(fixed.afterError(job, 1, null, at(10))).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(fixed.afterError(job, 4, null, at(10))).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
    }

    @Test
    void segmindJobsUseTheirQualityAsResolution() {
        JobRecord v5 = submitted("pixverse-5-transition", "segmind",
                "{\"prompt\":\"p\",\"first_frame_url\":\"https://x/a.png\",\"last_frame_url\":\"https://x/b.png\","
                        + "\"quality\":\"1080p\"}",
                Duration.ofMinutes(20));

        // Documented 70-80 s: the first poll comes near the start of that range.
        assertThat(seconds(adaptive.nextPoll(v5, 0, at(0)))).isBetween(55.0, 75.0);
    }

    // ---- failures (issue 16): learned apart from successes, so that the first polls cover the early ones ---------

    private static JobRecord imageToVideo(int seconds) {
        return submitted("pixverse/v5/image-to-video", "aimlapi",
                "{\"prompt\":\"p\",\"image_url\":\"https://x/y.png\",\"duration\":" + seconds + "}",
                Duration.ofMinutes(20));
    }

    private static JobRecord lipSync(int seconds) {
        return submitted("pixverse/v5/text-to-video", "aimlapi",
                "{\"prompt\":\"p\",\"lip_sync_tts_content\":\"hello\",\"duration\":" + seconds + "}",
                Duration.ofMinutes(20));
    }

    /** One job in twenty refused within 10 s, the rest done between 70 and 80 s, as the policy polls them. */
    private static void learnEarlyFailures(PollPolicy policy, JobRecord job) {
        for (int i = 0; i < 200; i++) {
            if (i % 20 == 0) {
                policy.generationEnded(job, at(0), at(10), Ending.FAILED);
            } else {
                double end = 70 + (i % 10);
                policy.generationEnded(job, at(end - 2), at(end), Ending.SUCCEEDED);
            }
        }
    }

    private static void learnSuccesses(PollPolicy policy, JobRecord job) {
        for (int i = 0; i < 200; i++) {
            double end = 70 + (i % 10);
            policy.generationEnded(job, at(end - 2), at(end), Ending.SUCCEEDED);
        }
    }

    @Test
    void afterLearningEarlyFailuresTheFirstPollComesWithinSeconds() {
        JobRecord job = imageToVideo();
        learnEarlyFailures(adaptive, job);

        double first = seconds(adaptive.nextPoll(job, 0, at(0)));
        double second = seconds(adaptive.nextPoll(job, 1, at(first)));

        assertThat(first).as("the early poll covers the failures' 10 s").isBetween(5.0, 10.5);
        assertThat(first + second).as("then straight to where the successes end").isBetween(60.0, 72.0);
    }

    @Test
    void aFailureFirstSeenAtTheSuccessesPollIsTakenAsAnEarlyOne() {
        // Before any failure was learned the first poll comes at about a minute: the failure is only known to have
        // ended in that minute, and the prior says failures end in the first seconds.
        JobRecord job = imageToVideo();
        double unlearned = seconds(adaptive.nextPoll(job, 0, at(0)));
        adaptive.generationEnded(job, at(0), at(unlearned), Ending.FAILED);

        assertThat(seconds(adaptive.nextPoll(job, 0, at(0)))).isBetween(5.0, 10.5);
    }

    @Test
    void aKindNeverSeenToFailKeepsTheSuccessesSchedule() {
        for (JobRecord job : new JobRecord[] { imageToVideo(), imageToVideo(8), textToVideo("720p", 5),
                textToVideo("1080p", 8), lipSync(5), lipSync(8) }) {
            for (double age : new double[] { 0, 30, 62, 75, 90 }) {
                assertThat(seconds(adaptive.nextPoll(job, 1, at(age))))
                        .as("%s at %.0f s", job.input(), age)
                        .isCloseTo(seconds(successesOnly.nextPoll(job, 1, at(age))),
                                within(1.0));
            }
        }
    }

    @Test
    void failuresDoNotMoveWhereTheSuccessesArePolled() {
        JobRecord job = imageToVideo();
        learnEarlyFailures(adaptive, job);
        learnSuccesses(successesOnly, job);
        learnSuccesses(adaptive, job);

        for (double age : new double[] { 20, 62, 70, 75, 79 }) {
            assertThat(seconds(adaptive.nextPoll(job, 2, at(age)))).as("at %.0f s", age)
                    .isCloseTo(seconds(successesOnly.nextPoll(job, 2, at(age))),
                            within(0.5));
        }
    }

    @Test
    void withFailureLearningOffFailuresAreIgnored() {
        JobRecord job = imageToVideo();
        double before = seconds(successesOnly.nextPoll(job, 0, at(0)));

        for (int i = 0; i < 50; i++) {
            successesOnly.generationEnded(job, at(0), at(5), Ending.FAILED);
        }

        assertThat(seconds(successesOnly.nextPoll(job, 0, at(0)))).isEqualTo(before);
    }

    @Test
    void failuresOfOneKindMoveOnlyThatKindsFirstPoll() {
        learnEarlyFailures(adaptive, imageToVideo());

        assertThat(seconds(adaptive.nextPoll(textToVideo("1080p", 5), 0, at(0)))).isGreaterThan(55.0);
    }
}
