package io.genworker.tracking;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The finished jobs of one job-log partition, remembered for deduplication by what dedup needs and no more: a 64-bit
 * fingerprint of the job id, the offset of the job's newest terminal record, and when it finished. 20 bytes a
 * slot in flat arrays filled to between 3/8 and 3/4, so 27 to 54 bytes a job, where a map of full records cost ~1.6 KB a job;
 * entries older than the dedup window are pruned, since the job log no longer holds their records either.
 * <p>
 * A fingerprint is not an id: a match only says "maybe the same job". The caller confirms it by reading the
 * terminal record back at its offset (which a re-assertion needs anyway) before it treats a request as a
 * duplicate, so a new job whose id collides is never swallowed. A hand-written open-addressing table, because no
 * library on the classpath stores primitive long keys with primitive values.
 */
final class FinishedJobs {

    /** What {@link #offsetOf} answers for a job not remembered here. */
    static final long ABSENT = -2;
    /** The offset of a job finished here whose terminal record has not been read back from the log yet. */
    static final long NOT_YET_READ = -1;
    private static final long EMPTY = 0;
    private static final int MIN_CAPACITY = 16;
    private static final long EPOCH = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();

    private long[] fingerprints = new long[MIN_CAPACITY];
    private long[] offsets = new long[MIN_CAPACITY];
    /** Seconds since {@link #EPOCH}: an int lasts until 2093. */
    private int[] finishedAt = new int[MIN_CAPACITY];
    private int size;

    /** A 64-bit fingerprint of a job id (FNV-1a over its UTF-8 bytes, then a finalising mix); never zero. */
    static long fingerprint(String jobId) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : jobId.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash == EMPTY ? 1 : hash;
    }

    /** Remembers (or updates) a finished job; {@code offset} may be {@link #NOT_YET_READ}. */
    void put(long fingerprint, long offset, Instant finished) {
        if ((size + 1) * 4L > fingerprints.length * 3L) {
            resize(fingerprints.length * 2);
        }
        int slot = slotOf(fingerprint);
        if (fingerprints[slot] == EMPTY) {
            fingerprints[slot] = fingerprint;
            size++;
        }
        offsets[slot] = offset;
        finishedAt[slot] = (int) (finished.getEpochSecond() - EPOCH);
    }

    /** The newest terminal offset known for the fingerprint, {@link #NOT_YET_READ}, or {@link #ABSENT}. */
    long offsetOf(long fingerprint) {
        int slot = slotOf(fingerprint);
        return fingerprints[slot] == EMPTY ? ABSENT : offsets[slot];
    }

    boolean contains(long fingerprint) {
        return offsetOf(fingerprint) != ABSENT;
    }

    /** Sets the offset of a job remembered here (its terminal record was read back); others are left alone. */
    void seen(long fingerprint, long offset) {
        int slot = slotOf(fingerprint);
        if (fingerprints[slot] != EMPTY) {
            offsets[slot] = offset;
        }
    }

    /** Forgets the jobs that finished before the cut-off; returns how many. */
    int pruneFinishedBefore(Instant cutoff) {
        long limit = cutoff.getEpochSecond() - EPOCH;
        long[] oldFingerprints = fingerprints;
        long[] oldOffsets = offsets;
        int[] oldFinished = finishedAt;
        int kept = 0;
        for (int i = 0; i < oldFingerprints.length; i++) {
            if (oldFingerprints[i] != EMPTY && oldFinished[i] >= limit) {
                kept++;
            }
        }
        int pruned = size - kept;
        if (pruned == 0) {
            return 0;
        }
        allocate(capacityFor(kept));
        size = 0;
        for (int i = 0; i < oldFingerprints.length; i++) {
            if (oldFingerprints[i] != EMPTY && oldFinished[i] >= limit) {
                insertFresh(oldFingerprints[i], oldOffsets[i], oldFinished[i]);
            }
        }
        return pruned;
    }

    int size() {
        return size;
    }

    /** Bytes held by the table's arrays. */
    long bytes() {
        return fingerprints.length * 20L;
    }

    private int slotOf(long fingerprint) {
        int mask = fingerprints.length - 1;
        int slot = (int) (fingerprint ^ (fingerprint >>> 32)) & mask;
        while (fingerprints[slot] != EMPTY && fingerprints[slot] != fingerprint) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void resize(int capacity) {
        long[] oldFingerprints = fingerprints;
        long[] oldOffsets = offsets;
        int[] oldFinished = finishedAt;
        allocate(capacity);
        size = 0;
        for (int i = 0; i < oldFingerprints.length; i++) {
            if (oldFingerprints[i] != EMPTY) {
                insertFresh(oldFingerprints[i], oldOffsets[i], oldFinished[i]);
            }
        }
    }

    private void insertFresh(long fingerprint, long offset, int finishedSecond) {
        int slot = slotOf(fingerprint);
        fingerprints[slot] = fingerprint;
        offsets[slot] = offset;
        finishedAt[slot] = finishedSecond;
        size++;
    }

    private void allocate(int capacity) {
        fingerprints = new long[capacity];
        offsets = new long[capacity];
        finishedAt = new int[capacity];
    }

    /** A power of two the entries fill to at most three quarters. */
    private static int capacityFor(int entries) {
        int capacity = MIN_CAPACITY;
        while (capacity * 3L < entries * 4L) {
            capacity <<= 1;
        }
        return capacity;
    }

    @Override
    public String toString() {
        return "FinishedJobs[" + size + " of " + fingerprints.length + "]";
    }
}
