package io.genworker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.hostile.HostileCorpus;
import io.genworker.job.ErrorCode;
import io.genworker.job.ErrorDetail;
import io.genworker.job.JobError;
import io.genworker.support.StubWorkerConfig;

/**
 * The hostile corpus that {@code HostileInputTest} sends through a broker, read here by {@link RequestReader} alone:
 * each case must end as its entry in {@code cases.json} declares (undecodable with the dead-letter reason, or
 * refused with the code, field and rule), never as a job, and a refusal must stay small and echo nothing it should
 * not, however large or strange the request.
 */
class HostileCorpusReaderTest {

    /** The id intake gives a refusal that names no usable job id (its topic position). */
    private static final String FALLBACK_ID = "invalid-generation.requests-0-42";
    /** Field names, models and values a refusal echoes are cut well below this. */
    private static final int MAX_ECHOED_CHARS = 200;

    private static final RequestReader READER = new RequestReader(ModelCatalogue.fromClasspath(new ObjectMapper()),
            new StubWorkerConfig());

    static Stream<HostileCorpus.Case> corpus() {
        return HostileCorpus.load().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void endsAsItsEntryDeclares(HostileCorpus.Case hostile) {
        ReadOutcome outcome = READER.read(hostile.key(), hostile.value(), FALLBACK_ID);

        if (hostile.deadLetter()) {
            assertThat(outcome).isInstanceOf(ReadOutcome.Undecodable.class);
            assertThat(((ReadOutcome.Undecodable) outcome).reason()).contains(hostile.dlqReason());
            return;
        }
        assertThat(outcome).isInstanceOf(ReadOutcome.Invalid.class);
        ReadOutcome.Invalid refused = (ReadOutcome.Invalid) outcome;
        JobError error = refused.error();
        HostileCorpus.Refusal expected = hostile.refusal();
        assertThat(error.code().name()).isEqualTo(expected.code());
        assertThat(error.retryable()).isFalse();
        assertThat(error.details()).anySatisfy(detail -> {
            assertThat(detail.field()).startsWith(expected.field());
            assertThat(detail.rule()).startsWith(expected.rule());
        });
        assertThat(refused.jobId()).as("the id the result goes out under").isEqualTo(switch (hostile.answeredAs()) {
            case KEY -> hostile.key();
            case JOB_ID -> hostile.jobId();
            case FALLBACK -> FALLBACK_ID;
        });
        if (error.code() == ErrorCode.INVALID_REQUEST) {
            assertThat(error.details()).hasSizeLessThanOrEqualTo(RequestReader.MAX_DETAILS + 1);
            assertThat(error.message()).matches("(?s)\\d+ rule\\(s\\) broken: .*");
        }
        assertSmallAndEchoingNothingItShouldNot(refused);
    }

    private static void assertSmallAndEchoingNothingItShouldNot(ReadOutcome.Invalid refused) {
        for (String echoed : new String[] { refused.model(), refused.provider() }) {
            if (echoed != null) {
                assertThat(echoed).hasSizeLessThan(MAX_ECHOED_CHARS);
            }
        }
        List<ErrorDetail> details = refused.error().details();
        assertThat(details).allSatisfy(detail -> {
            assertThat(detail.field()).hasSizeLessThan(MAX_ECHOED_CHARS);
            assertThat(String.valueOf(detail.value())).hasSizeLessThan(MAX_ECHOED_CHARS);
            if (detail.rule().startsWith("required") || detail.rule().equals("unknown-field")) {
                assertThat(detail.value()).as("%s %s echoes no value", detail.field(), detail.rule()).isNull();
            }
        });
    }
}
