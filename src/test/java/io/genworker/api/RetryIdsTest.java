package io.genworker.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class RetryIdsTest {

    /** Intake's job-id rule: every derived id must pass it. */
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/+=-]*");

    @Test
    void aJobsRetryIsNumberedAndARetryOfARetryTakesTheNextNumber() {
        assertThat(RetryIds.next("job-42", 128)).isEqualTo("job-42.retry-1");
        assertThat(RetryIds.next("job-42.retry-1", 128)).isEqualTo("job-42.retry-2");
        assertThat(RetryIds.next("job-42.retry-9", 128)).isEqualTo("job-42.retry-10");
        assertThat(RetryIds.next("job.retry-x", 128)).isEqualTo("job.retry-x.retry-1");
    }

    @Test
    void theSameJobAlwaysGetsTheSameRetryIdSoARepeatedRetryIsADuplicate() {
        assertThat(RetryIds.next("a/b:c", 128)).isEqualTo(RetryIds.next("a/b:c", 128));
    }

    @Test
    void aLongIdIsCutWithAHashOfTheWholeAndStaysWithinTheLimitAndTheIdRules() {
        String longA = "a".repeat(128);
        String longB = "a".repeat(127) + "b";

        String retryA = RetryIds.next(longA, 128);
        String retryB = RetryIds.next(longB, 128);

        assertThat(retryA).hasSizeLessThanOrEqualTo(128).matches(JOB_ID).endsWith(".retry-1");
        assertThat(retryB).hasSizeLessThanOrEqualTo(128).matches(JOB_ID).isNotEqualTo(retryA);
        assertThat(RetryIds.next(retryA, 128)).hasSizeLessThanOrEqualTo(128).matches(JOB_ID).endsWith(".retry-2");
    }
}
