-- The job index (issue 14): a cache of the job log, rebuilt from it when dropped. Written only by the indexer.

-- One row per job: the summary of its newest job-log record, plus what later records drop (the request's input).
CREATE TABLE index_jobs (
    job_id          text PRIMARY KEY,
    state           text NOT NULL,
    provider        text,
    model           text,
    received_at     timestamptz,
    submitted_at    timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz,
    -- The order of listings: received_at, or updated_at for a job known only from a command (a cancel).
    listed_at       timestamptz NOT NULL,
    polls           integer NOT NULL DEFAULT 0,
    submit_attempts integer NOT NULL DEFAULT 0,
    error_code      text,
    error_message   text,
    error           jsonb,
    provider_job_id text,
    credits         double precision,
    video_url       text,
    archive_bucket  text,
    archive_key     text,
    archive_url     text,
    video           jsonb,
    metadata        jsonb,
    input           jsonb,
    retry_of        text,
    retried_as      text,
    cancellation    jsonb,
    -- Where the newest applied record lies in the job log: records at or below it are not applied again.
    log_partition   integer NOT NULL,
    log_offset      bigint NOT NULL
);

CREATE INDEX index_jobs_listed ON index_jobs (listed_at DESC, job_id DESC);
CREATE INDEX index_jobs_state ON index_jobs (state, listed_at DESC, job_id DESC);
-- Filters in the listing's order, so a page reads its rows in order and stops.
CREATE INDEX index_jobs_provider_model ON index_jobs (provider, model, listed_at DESC, job_id DESC);
CREATE INDEX index_jobs_model ON index_jobs (model, listed_at DESC, job_id DESC);
-- A model belongs to one provider: without this the planner multiplies their selectivities, takes a combination that
-- has no jobs for a common one, and walks the whole listing looking for it.
CREATE STATISTICS index_jobs_provider_model_stats (dependencies, mcv) ON provider, model FROM index_jobs;
CREATE INDEX index_jobs_error_code ON index_jobs (error_code, listed_at DESC, job_id DESC)
    WHERE error_code IS NOT NULL;
CREATE INDEX index_jobs_finished ON index_jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX index_jobs_retry_of ON index_jobs (retry_of) WHERE retry_of IS NOT NULL;
CREATE INDEX index_jobs_metadata ON index_jobs USING gin (metadata jsonb_path_ops);

-- Every job-log record of a job as the indexer read it.
CREATE TABLE index_transitions (
    job_id        text NOT NULL,
    log_partition integer NOT NULL,
    log_offset    bigint NOT NULL,
    state         text NOT NULL,
    at            timestamptz,
    detail        text,
    PRIMARY KEY (job_id, log_partition, log_offset)
);

-- The indexer's consumer offsets, committed with the rows they produced.
CREATE TABLE index_offsets (
    topic         text NOT NULL,
    log_partition integer NOT NULL,
    next_offset   bigint NOT NULL,
    PRIMARY KEY (topic, log_partition)
);
