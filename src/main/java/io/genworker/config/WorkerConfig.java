package io.genworker.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every setting of the worker, in one typed root. Environment variables map as usual (WORKER_POLLING_INTERVAL...). */
@ConfigMapping(prefix = "worker")
public interface WorkerConfig {

    Topics topics();

    Intake intake();

    Jobs jobs();

    Tracker tracker();

    Polling polling();

    Providers providers();

    Health health();

    Archive archive();

    interface Topics {
        /** Requests from upstream services, keyed by job id. */
        @WithDefault("generation.requests")
        String requests();

        /** The job log: every state transition, keyed by job id. */
        @WithDefault("generation.jobs")
        String jobs();

        /** One terminal event per job, keyed by job id. */
        @WithDefault("generation.results")
        String results();

        /**
         * Commands about jobs already requested (today: cancel), keyed by job id; read by intake with the requests
         * and carried to each job's owner through the job log.
         */
        @WithDefault("generation.control")
        String control();

        /** Request records that could not be read at all, with the reason in headers. */
        @WithDefault("generation.requests.dlq")
        String deadLetters();

        /** Partitions for topics the worker creates at start-up. */
        @WithDefault("6")
        int partitions();

        /**
         * Replication factor for topics the worker creates at start-up. Unset: the broker's own default
         * (`default.replication.factor`), which managed clusters (Confluent Cloud, MSK) set and enforce, and which a
         * fixed 1 would break.
         */
        Optional<Short> replicationFactor();

        /**
         * How many job-log partitions new jobs are spread over: a job id lives on partition {@code murmur2(id) mod
         * this} (Kafka's own placement of keys, for this count) for good. Unset: `partitions`, and the worker refuses
         * to start on a job log with another count (partitions added, or topics created elsewhere), since routing
         * over the wrong count would put a repeated job id on a partition with no history of it (submitted a second
         * time). Set it to the count the job log's jobs were written with; after partitions are added, keep the old
         * count (the added partitions then take no new jobs; see the operations docs).
         */
        Optional<Integer> jobRoutingPartitions();

        /** How long the job log keeps a finished job: the window in which a repeated job id is deduplicated. */
        @WithDefault("7d")
        Duration dedupWindow();

        /** Whether the worker creates missing topics at start-up. */
        @WithDefault("true")
        boolean create();
    }

    interface Intake {
        /**
         * Largest request value accepted, in bytes; larger records go to the dead-letter topic. Below Kafka's default
         * 1 MiB record limit, so that the job-log record carrying an accepted request (a few hundred bytes more)
         * still fits; raise it only together with the topics' max.message.bytes and kafka.max.request.size.
         */
        @WithDefault("1000000")
        int maxRecordBytes();

        /** Longest job id accepted. */
        @WithDefault("128")
        int maxJobIdLength();

        /** Largest serialized `metadata` object accepted, in bytes. */
        @WithDefault("16384")
        int maxMetadataBytes();
    }

    /**
     * Job deadlines. Before these had a group of their own they were `worker.polling.default-job-timeout` and
     * `worker.polling.max-job-timeout`: those names still work, read as these settings' defaults.
     */
    interface Jobs {
        /** Deadline of a job that does not set `timeoutSeconds`, counted from its arrival. */
        @WithDefault("${worker.polling.default-job-timeout:20m}")
        Duration defaultTimeout();

        /** Largest `timeoutSeconds` a request may ask for. */
        @WithDefault("${worker.polling.max-job-timeout:2h}")
        Duration maxTimeout();

        /**
         * How long past its deadline a job waits for a provider that refuses the account (bad key, no credits, no
         * key on this worker) before it fails ACCOUNT_REFUSED. Keep it, with `max-timeout`, well inside the dedup
         * window: the job log deletes a waiting job's records after that window.
         */
        @WithDefault("24h")
        Duration maxAccountWait();
    }

    interface Tracker {
        /** Consumer group of the tracker; it never commits offsets, every owner replays. */
        @WithDefault("generation-worker-tracker")
        String groupId();

        /**
         * Prefix of the transactional ids the tracker writes the job log under: `<prefix>-<partition>`, the same in
         * every worker, so that a partition's new owner fences the old one (its writes are refused by the broker).
         * The worker's principal needs WRITE and DESCRIBE on TransactionalId resources with this prefix.
         */
        @WithDefault("${worker.tracker.group-id:generation-worker-tracker}")
        String transactionalIdPrefix();

        /** Jobs in flight per worker; at the cap the tracker stops taking new jobs from the log. */
        @WithDefault("20000")
        int maxInFlight();

        /**
         * Shards of the tracker's state: the worker's job-log partitions are spread over this many event-loop
         * contexts (by partition number), so that tracking is not bound to one core. The provider gates and the cap
         * of jobs in flight stay one for the worker. 1: all on one context.
         */
        @WithDefault("2")
        int shards();

        /**
         * How soon a crashed worker's job-log partitions move to another worker (the consumer session timeout).
         * Shorter means faster failover after a SIGKILL, at the price of rebalances on long GC pauses.
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /**
         * This worker's static membership of the tracker's consumer group (`group.instance.id`): a worker that
         * restarts under the same id (a container restart in its pod, a StatefulSet pod) gets its partitions back
         * without moving anyone else's. Unset: dynamic membership. Ids must be unique in the group; a worker that
         * stops on SIGTERM leaves the group, so scale-in is not slowed by the session timeout.
         */
        Optional<String> instanceId();

        /**
         * How long a graceful hand-over (a partition revoked, SIGTERM) waits for submissions already sent to be
         * answered and their outcome written, so that the next owner polls them instead of failing them
         * SUBMIT_UNCERTAIN. Answers later than this are lost to the hand-over.
         */
        @WithDefault("10s")
        Duration handOverWait();

        /**
         * A job found in SUBMITTING after a replay had its submit interrupted and the provider may already run it.
         * false (default): fail it with SUBMIT_UNCERTAIN. true: submit it again (risking a second paid generation).
         */
        @WithDefault("false")
        boolean resubmitUncertain();

        /**
         * How long the job-log consumer loop may go without coming back from a poll before liveness reports the
         * process stuck. The loop returns every 200 ms; a hand-over may hold it for up to about a minute.
         */
        @WithDefault("3m")
        Duration stuckAfter();
    }

    interface Polling {
        /**
         * ADAPTIVE learns each kind of job's generation times and polls where they end; FIXED polls after
         * `first-poll`, then every `interval`, like the providers' examples.
         */
        @WithDefault("adaptive")
        Strategy strategy();

        /**
         * FIXED: delay between two polls. ADAPTIVE: interval for a job that runs longer than nearly all of its kind
         * (past the learned distribution).
         */
        @WithDefault("10s")
        Duration interval();

        /** FIXED only: delay between a successful submission and the first poll. */
        @WithDefault("5s")
        Duration firstPoll();

        /**
         * ADAPTIVE: how much detection delay one poll is worth. Smaller means more polls and less delay; the default
         * measures about 5 polls and under 2 s of delay for a 60-90 s generation (see the benchmark).
         */
        @WithDefault("500ms")
        Duration pollCost();

        /** ADAPTIVE: shortest delay between two polls of one job. */
        @WithDefault("1s")
        Duration minInterval();

        Learning learning();

        /**
         * Deprecated name of `worker.jobs.default-timeout`, still read as its default. Declared here so that a
         * deployment that sets it still starts (the mapping refuses keys it does not know).
         */
        @Deprecated
        Optional<Duration> defaultJobTimeout();

        /** Deprecated name of `worker.jobs.max-timeout`, still read as its default. */
        @Deprecated
        Optional<Duration> maxJobTimeout();

        /** First delay after a transient error (429, 5xx, timeout); doubled per consecutive error, with jitter. */
        @WithDefault("1s")
        Duration backoffInitial();

        /** Largest delay after transient errors. */
        @WithDefault("60s")
        Duration backoffMax();

        /** Delay before retrying a provider that refused our key or ran out of credits. */
        @WithDefault("60s")
        Duration providerFaultRetry();

        enum Strategy {
            ADAPTIVE,
            FIXED
        }

        interface Learning {
            /** How many jobs the docs' figure for a kind of job counts as, before real ones are seen. */
            @WithDefault("20")
            double priorWeight();

            /** Roughly how many recent jobs of a kind the learned distribution reflects; older ones fade. */
            @WithDefault("200")
            int window();

            /**
             * Whether failed generations are learned too, apart from successes: a refused prompt or image fails
             * within seconds, and the first polls then come early enough to report it. Off: polls for successes
             * only.
             */
            @WithDefault("true")
            boolean failures();

            /**
             * Share of a kind's generations assumed to fail before one is seen to. Small: an early poll is made once
             * this share times the wait it saves (until the successes' first poll) exceeds `poll-cost`, and a kind
             * never seen to fail should keep its first poll where its successes begin: with the default cost, for
             * successes beginning within about 170 s (every documented kind, 8-second videos included). A single
             * failure seen weighs more than this prior.
             */
            @WithDefault("0.003")
            double failurePriorShare();

            /** Where those assumed failures end: evenly from the submission to this. */
            @WithDefault("10s")
            Duration failurePriorWithin();
        }
    }

    /**
     * Copies of finished videos in S3-compatible object storage (issue 13), made before `COMPLETED` is published.
     * Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an
     * instance or pod role); downloads are limited by `worker.archive.fetch.*` ({@code FetchConfig}).
     */
    interface Archive {
        /** Off: jobs complete with the provider's URL only, as before. */
        @WithDefault("false")
        boolean enabled();

        /** The bucket the copies go to; it must exist. Required when enabled. */
        Optional<String> bucket();

        /** Keys are `{key-prefix}/{job id}/{file name}`, each part escaped; empty: `{job id}/{file name}`. */
        @WithDefault("videos")
        String keyPrefix();

        /** The S3 API's address for anything but AWS S3 (MinIO, R2, Ceph, GCS interop, s3proxy). */
        Optional<String> endpointOverride();

        @WithDefault("us-east-1")
        String region();

        /** Path-style URLs (`endpoint/bucket/key`): what most S3-compatible servers need. */
        @WithDefault("false")
        boolean pathStyle();

        /**
         * Bytes of one multipart part (at least 5 MiB, S3's minimum): the worker holds at most one part per
         * transfer, so the heap a copy needs is `max-transfers` x `part-size`.
         */
        @WithDefault("8388608")
        int partSize();

        /** Copies running at once; more wait for a free transfer (bytes in flight = this x `part-size`). */
        @WithDefault("4")
        int maxTransfers();

        /** How long the URL in `video.archive.url` stays valid (presigned GET, at most 7 days). */
        @WithDefault("7d")
        Duration presignLifetime();

        /** When set, `video.archive.url` is this base plus the key instead of a presigned URL (a public bucket or CDN). */
        Optional<String> publicBaseUrl();

        /**
         * How long after the generation finished the copy may keep trying (retries of interrupted downloads, storage
         * down); by default under Segmind's one-hour retention. The job's own deadline does not cut a copy short.
         */
        @WithDefault("45m")
        Duration copyTimeout();

        /** First wait before a failed copy is tried again; doubles per attempt up to `retry-max`. */
        @WithDefault("2s")
        Duration retryInitial();

        @WithDefault("1m")
        Duration retryMax();

        /** What a job whose copy cannot be made ends with. */
        @WithDefault("fail")
        OnFailure onFailure();

        enum OnFailure {
            /** FAILED with ARCHIVE_FAILED; the result's video keeps the provider's URL. */
            FAIL,
            /** COMPLETED with the provider's URL and `video.archiveError`. */
            COMPLETE
        }
    }

    interface Health {
        /** How long readiness waits for the broker to answer before reporting Kafka unreachable. */
        @WithDefault("3s")
        Duration kafkaTimeout();
    }

    interface Providers {
        Provider aimlapi();

        Provider segmind();
    }

    interface Provider {
        /** Base URL of the provider's API. */
        String baseUrl();

        /** API key; never logged. Jobs for a provider without a key wait until one is configured. */
        Optional<String> apiKey();

        /**
         * Calls (submits and polls together) in flight to this provider at most; the others wait their turn. For the
         * whole account, shared by the workers, unless `limit-scope` is `worker`.
         */
        @WithDefault("32")
        int maxConcurrentCalls();

        /**
         * Calls (submits and polls together) started per second at most; the others wait in time order. For the
         * whole account, shared by the workers, unless `limit-scope` is `worker`. The providers publish no limit
         * for these endpoints: this keeps a burst below the 429s they do send.
         */
        @WithDefault("50")
        int requestsPerSecond();

        /**
         * Whose limits `max-concurrent-calls` and `requests-per-second` are. ACCOUNT: the provider account's, which
         * every worker of the tracker group calls with; each worker applies its share of them, the share of the
         * job-log partitions it owns (it moves with every rebalance). WORKER: each worker's own, so N workers make up
         * to N times the calls.
         */
        @WithDefault("account")
        LimitScope limitScope();

        enum LimitScope {
            ACCOUNT,
            WORKER
        }
    }
}
