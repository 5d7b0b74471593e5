package io.genworker.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.genworker.index.JobStats;
import io.genworker.provider.ProviderPauses;
import io.genworker.provider.ProviderRouter;
import io.genworker.provider.VideoProvider;

/** Builds the overview from the job index ({@link JobStats}) and this worker's provider pauses. */
@ApplicationScoped
public class Overviews {

    private static final Logger LOG = Logger.getLogger(Overviews.class);
    /** The minutes the per-minute and failure figures cover. */
    static final int WINDOW_MINUTES = 30;
    /** Error codes the failure table lists at most. */
    static final int TOP_FAILURES = 10;

    private final JobStats stats;
    private final ConsoleReads reads;
    private final ProviderPauses pauses;
    private final ProviderRouter providers;

    public Overviews(JobStats stats, ConsoleReads reads, ProviderPauses pauses, ProviderRouter providers) {
        this.stats = stats;
        this.reads = reads;
        this.pauses = pauses;
        this.providers = providers;
    }

    public OverviewView now() {
        Instant now = Instant.now();
        List<String> errors = new ArrayList<>(reads.unavailable());
        List<JobStats.Count> counts = List.of();
        List<JobStats.FinishedMinute> minutes = List.of();
        List<JobStats.Failure> failures = List.of();
        List<JobStats.InFlight> inFlight = List.of();
        if (errors.isEmpty() && stats.enabled()) {
            try {
                counts = stats.counts();
                minutes = stats.finishedPerMinute(now, WINDOW_MINUTES);
                failures = stats.failures(now, Duration.ofMinutes(WINDOW_MINUTES), TOP_FAILURES);
                inFlight = stats.inFlight();
            } catch (SQLException e) {
                LOG.warnf("console: job index read failed: %s", e.getMessage());
                errors.add(ConsoleReads.INDEX_DOWN);
            }
        }
        List<OverviewView.Minute> perMinute = minutes.stream()
                .map(m -> new OverviewView.Minute(m.minute(), m.completed(), m.failed(), m.cancelled())).toList();
        long busiest = perMinute.stream().mapToLong(OverviewView.Minute::total).max().orElse(0);
        return new OverviewView(sum(counts, JobStats.Count::state, "state"),
                sum(counts, JobStats.Count::provider, "provider"), sum(counts, JobStats.Count::model, "model"),
                perMinute, busiest, failures.stream().map(Overviews::failure).toList(), paused(),
                inFlight.stream().map(f -> oldest(f, now)).toList(), WINDOW_MINUTES, errors);
    }

    private List<OverviewView.Paused> paused() {
        return new TreeMap<>(pauses.current()).entrySet().stream()
                .map(e -> new OverviewView.Paused(e.getKey(), e.getValue().reason(), e.getValue().since(),
                        e.getValue().nextProbe()))
                .toList();
    }

    /** A provider's oldest job in flight, against the provider's documented result retention. */
    private OverviewView.Oldest oldest(JobStats.InFlight inFlight, Instant now) {
        String provider = inFlight.provider() == null ? "(none)" : inFlight.provider();
        Duration retention = Optional.ofNullable(inFlight.provider()).flatMap(providers::find)
                .flatMap(VideoProvider::resultRetention).orElse(null);
        Duration age = inFlight.receivedAt() == null ? null : Duration.between(inFlight.receivedAt(), now);
        boolean atRisk = retention != null && age != null && age.compareTo(retention) > 0;
        return new OverviewView.Oldest(provider, inFlight.jobs(), inFlight.oldestJobId(),
                ConsoleLinks.job(inFlight.oldestJobId()), inFlight.state(), inFlight.receivedAt(), age, retention,
                atRisk);
    }

    private static OverviewView.Failure failure(JobStats.Failure failure) {
        String code = failure.errorCode() == null ? "(no code)" : failure.errorCode();
        String link = failure.errorCode() == null ? "/console/jobs?state=FAILED"
                : "/console/jobs?state=FAILED&errorCode=" + URLEncoder.encode(code, StandardCharsets.UTF_8);
        return new OverviewView.Failure(code, failure.jobs(), failure.lastMessage(), failure.lastAt(), link);
    }

    /** The counts summed by one of their dimensions, largest first; jobs without a value are left out. */
    private static List<OverviewView.Count> sum(List<JobStats.Count> counts, Function<JobStats.Count, String> by,
            String filter) {
        Map<String, Long> sums = new TreeMap<>();
        for (JobStats.Count count : counts) {
            String name = by.apply(count);
            if (name != null) {
                sums.merge(name, count.jobs(), Long::sum);
            }
        }
        return sums.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> new OverviewView.Count(e.getKey(), "state".equals(filter) ? JobRow.stateClass(e.getKey())
                        : "", e.getValue(), "/console/jobs?" + filter + "="
                                + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)))
                .toList();
    }
}
