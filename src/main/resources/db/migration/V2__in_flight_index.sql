-- The console's oldest jobs in flight per provider (JobStats.inFlight). The index keeps the dedup window of finished
-- jobs, so the jobs in flight are a small part of it: without this index that read scans the whole table. Its
-- predicate is the query's own, word for word (IndexedStates.TERMINAL), so that the planner can prove the query implies
-- it; a job's rows enter it while it runs and stop when it ends.
CREATE INDEX index_jobs_in_flight ON index_jobs (provider, received_at, job_id)
    WHERE state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED');
