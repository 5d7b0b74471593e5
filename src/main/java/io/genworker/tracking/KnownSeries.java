package io.genworker.tracking;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.catalogue.ModelSpec;
import io.genworker.job.ErrorCode;
import io.genworker.metrics.WorkerMetrics;
import io.genworker.provider.ProviderOperation;
import io.genworker.provider.ProviderPauses;
import io.quarkus.runtime.StartupEvent;

/**
 * At start-up, registers every series whose tags are known from the model catalogue and the error codes, so a
 * fresh worker already exposes them at zero: {@code rate()} and alert expressions then see zeros, not gaps. It lives
 * here, beside the provider access whose series it registers, so that the meter catalogue depends on no provider.
 */
@ApplicationScoped
class KnownSeries {

    /** The operations the per-provider rate limit is shared by. */
    static final List<String> LIMITED_OPERATIONS = ProviderOperation.RATE_LIMITED.stream()
            .map(ProviderOperation::tag).toList();
    static final List<String> REJECTION_REASONS = List.of("invalid_request", "unsupported_model", "undecodable", "control");

    private final WorkerMetrics metrics;
    private final ModelCatalogue catalogue;
    private final ProviderPauses pauses;

    KnownSeries(WorkerMetrics metrics, ModelCatalogue catalogue, ProviderPauses pauses) {
        this.metrics = metrics;
        this.catalogue = catalogue;
        this.pauses = pauses;
    }

    void register(@Observes StartupEvent event) {
        // Requests refused at intake are rejections, never failed jobs.
        List<String> codes = Arrays.stream(ErrorCode.values())
                .filter(code -> code != ErrorCode.INVALID_REQUEST && code != ErrorCode.UNSUPPORTED_MODEL)
                .map(ErrorCode::name).toList();
        for (ModelSpec model : catalogue.models()) {
            metrics.registerKnown(model.provider(), model.model(), LIMITED_OPERATIONS, codes);
            metrics.providerPaused(model.provider(), pauses::isPaused);
        }
        metrics.registerKnownRejections(REJECTION_REASONS);
    }
}
