package io.genworker.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.genworker.catalogue.ModelCatalogue;
import io.genworker.job.JobRecord;
import io.genworker.polling.Ending;
import io.genworker.polling.PollPolicy;

/**
 * Poll policies compared in virtual time on one synthetic workload: the same jobs, generation times and provider
 * errors for each policy, run through the worker's own {@link PollPolicy} exactly as the tracker calls it (next
 * poll after acceptance, after each running status, backoff after each error, learning from each completion).
 * <p>
 * The workload is drawn from the docs' figures, not from the policy's prior: each kind's documented range is taken
 * as its 5th-95th percentile of a log-normal distribution, so one job in ten ends outside the documented range. Then,
 * drawn from a seed of their own so that the rest of the workload stays the same, 5 % of the jobs fail instead
 * (a refused prompt or image) at a time uniform between 1 and 10 s after their submission (issue 16).
 */
final class PolicyBenchmark {

    /** A kind of job in the workload: its share, its documented generation time, and the request it comes from. */
    record Kind(String name, double share, double p5Seconds, double p95Seconds, String model, String provider,
            String input, boolean sixtyToNinety) {
    }

    static final List<Kind> WORKLOAD = List.of(
            new Kind("t2v-720p", 0.30, 30, 40, "pixverse/v5/text-to-video", "aimlapi",
                    "{\"prompt\":\"p\",\"resolution\":\"720p\",\"duration\":5}", false),
            new Kind("t2v-1080p", 0.10, 65, 85, "pixverse/v5/text-to-video", "aimlapi",
                    "{\"prompt\":\"p\",\"resolution\":\"1080p\",\"duration\":5}", false),
            new Kind("t2v-lip-sync", 0.05, 70, 90, "pixverse/v5/text-to-video", "aimlapi",
                    "{\"prompt\":\"p\",\"resolution\":\"720p\",\"lip_sync_tts_content\":\"hello\"}", false),
            new Kind("i2v", 0.25, 60, 90, "pixverse/v5/image-to-video", "aimlapi",
                    "{\"prompt\":\"p\",\"image_url\":\"https://x/a.png\"}", true),
            new Kind("transition", 0.15, 60, 90, "pixverse/v5/transition", "aimlapi",
                    "{\"prompt\":\"p\",\"image_url\":\"https://x/a.png\",\"tail_image_url\":\"https://x/b.png\"}",
                    true),
            new Kind("segmind-v5-transition", 0.10, 60, 90, "pixverse-5-transition", "segmind",
                    "{\"prompt\":\"p\",\"first_frame_url\":\"https://x/a.png\",\"last_frame_url\":\"https://x/b.png\"}",
                    true),
            new Kind("segmind-v4-transition", 0.05, 60, 90, "pixverse-transition", "segmind",
                    "{\"prompt\":\"p\",\"first_frame_url\":\"https://x/a.png\",\"last_frame_url\":\"https://x/b.png\","
                            + "\"duration\":5,\"quality\":\"540p\"}",
                    true));

    static final double TRANSIENT_ERROR_RATE = 0.05;
    static final double RATE_LIMITED_RATE = 0.01;
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    static final double ARRIVALS_PER_SECOND = 5;
    static final double EARLY_FAILURE_SHARE = 0.05;
    static final double EARLY_FAILURE_MIN_SECONDS = 1;
    static final double EARLY_FAILURE_MAX_SECONDS = 10;

    /**
     * One job of the workload, the same for every policy.
     *
     * @param generation seconds from the submission to the generation's end, a success or, if {@code fails}, a
     *        failure
     */
    record Job(Kind kind, double arrival, double generation, boolean fails, long seed) {
    }

    /**
     * What one policy did on the workload: all jobs, the successful ones of the 60-90 s models (as before failures
     * were added, so the figures compare), and the jobs that failed within 10 s.
     */
    record Outcome(String policy, Stats all, Stats sixtyToNinety, Stats failsWithin10s) {
    }

    record Stats(int jobs, double pollsMean, double pollsP99, double delayP50, double delayP99, double delayMean) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private PolicyBenchmark() {
    }

    static List<Job> workload(int count, long seed, long failureSeed) {
        Random random = new Random(seed);
        Random failures = new Random(failureSeed);
        List<Job> jobs = new ArrayList<>(count);
        double t = 0;
        for (int i = 0; i < count; i++) {
            t += -Math.log(1 - random.nextDouble()) / ARRIVALS_PER_SECOND;
            Kind kind = pick(random.nextDouble());
            // Log-normal with the documented range as its 5th-95th percentile.
            double mu = (Math.log(kind.p5Seconds()) + Math.log(kind.p95Seconds())) / 2;
            double sigma = (Math.log(kind.p95Seconds()) - Math.log(kind.p5Seconds())) / (2 * 1.6449);
            double generation = Math.exp(mu + sigma * random.nextGaussian());
            long jobSeed = random.nextLong();
            boolean fails = failures.nextDouble() < EARLY_FAILURE_SHARE;
            double failure = EARLY_FAILURE_MIN_SECONDS
                    + failures.nextDouble() * (EARLY_FAILURE_MAX_SECONDS - EARLY_FAILURE_MIN_SECONDS);
            jobs.add(new Job(kind, t, fails ? failure : generation, fails, jobSeed));
        }
        return jobs;
    }

    private static Kind pick(double u) {
        double acc = 0;
        for (Kind kind : WORKLOAD) {
            acc += kind.share();
            if (u < acc) {
                return kind;
            }
        }
        return WORKLOAD.get(WORKLOAD.size() - 1);
    }

    /** Runs the workload through a fresh policy, all jobs interleaved in time so a learning policy learns online. */
    static Outcome run(String name, Supplier<PollPolicy> policies, List<Job> jobs) {
        PollPolicy policy = policies.get();
        /** A poll sent, or (arrival) the provider accepting the job: its first poll is chosen then, like the tracker. */
        record Event(double time, int job, boolean arrival) {
        }
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> Double.compare(a.time(), b.time()));
        JobRecord[] records = new JobRecord[jobs.size()];
        int[] polls = new int[jobs.size()];
        int[] errors = new int[jobs.size()];
        double[] lastRunning = new double[jobs.size()];
        double[] delays = new double[jobs.size()];
        Random[] randoms = new Random[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            records[i] = submitted(job);
            randoms[i] = new Random(job.seed());
            lastRunning[i] = job.arrival();
            // Not chosen here for all jobs at once: a job's first poll then would never use what was learned.
            events.add(new Event(job.arrival(), i, true));
        }
        while (!events.isEmpty()) {
            Event e = events.poll();
            Job job = jobs.get(e.job());
            int i = e.job();
            if (e.arrival()) {
                events.add(new Event(e.time() + seconds(policy.nextPoll(records[i], 0, at(e.time()))), i, false));
                continue;
            }
            polls[i]++;
            Random random = randoms[i];
            double roll = random.nextDouble();
            if (roll < RATE_LIMITED_RATE) {
                errors[i]++;
                events.add(new Event(e.time() + seconds(policy.afterError(records[i], errors[i], RETRY_AFTER,
                        at(e.time()))), i, false));
                continue;
            }
            if (roll < RATE_LIMITED_RATE + TRANSIENT_ERROR_RATE) {
                errors[i]++;
                events.add(new Event(e.time() + seconds(policy.afterError(records[i], errors[i], null,
                        at(e.time()))), i, false));
                continue;
            }
            errors[i] = 0;
            double finishedAt = job.arrival() + job.generation();
            if (e.time() >= finishedAt) {
                delays[i] = e.time() - finishedAt;
                policy.generationEnded(records[i], at(lastRunning[i]), at(e.time()),
                        job.fails() ? Ending.FAILED : Ending.SUCCEEDED);
            } else {
                lastRunning[i] = e.time();
                Duration next = policy.nextPoll(records[i], polls[i], at(e.time()));
                events.add(new Event(e.time() + seconds(next), i, false));
            }
        }
        return new Outcome(name, stats(jobs, polls, delays, j -> true),
                stats(jobs, polls, delays, j -> j.kind().sixtyToNinety() && !j.fails()),
                stats(jobs, polls, delays, j -> j.fails() && j.generation() <= 10));
    }

    private static Stats stats(List<Job> jobs, int[] polls, double[] delays, Predicate<Job> which) {
        List<Double> p = new ArrayList<>();
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (which.test(jobs.get(i))) {
                p.add((double) polls[i]);
                d.add(delays[i]);
            }
        }
        p.sort(Double::compare);
        d.sort(Double::compare);
        return new Stats(p.size(), mean(p), percentile(p, 0.99), percentile(d, 0.50), percentile(d, 0.99), mean(d));
    }

    static Map<String, Object> toMap(Stats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", s.jobs());
        m.put("polls_per_job_mean", round(s.pollsMean()));
        m.put("polls_per_job_p99", round(s.pollsP99()));
        m.put("detection_delay_p50_s", round(s.delayP50()));
        m.put("detection_delay_p99_s", round(s.delayP99()));
        m.put("detection_delay_mean_s", round(s.delayMean()));
        return m;
    }

    private static JobRecord submitted(Job job) {
        try {
            ObjectNode input = (ObjectNode) MAPPER.readTree(job.kind().input());
            Instant arrival = at(job.arrival());
            return JobRecord.requested("bench", job.kind().provider(), job.kind().model(), input, null, arrival,
                    arrival.plus(Duration.ofMinutes(20))).submitting(arrival).submitted("gen", null, arrival);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ModelCatalogue catalogue() {
        return ModelCatalogue.fromClasspath(MAPPER);
    }

    private static Instant at(double seconds) {
        return EPOCH.plusNanos(Math.round(seconds * 1e9));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
