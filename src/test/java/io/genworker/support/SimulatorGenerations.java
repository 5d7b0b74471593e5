package io.genworker.support;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The generations one provider holds, by its id. A generation is queued for its first quarter, then runs, then
 * ends as its prompt's marker says: "[sim:error]" fails, "[sim:blocked]" is refused by moderation, "[sim:forever]"
 * never finishes; otherwise it succeeds.
 */
final class SimulatorGenerations {

    enum Stage { QUEUED, RUNNING, FAILED, BLOCKED, SUCCEEDED }

    /** {@code style} picks one of the answer shapes the provider's docs show, in rotation. */
    record Generation(String id, String model, String prompt, Instant createdAt, int style) {

        Duration age() {
            return Duration.between(createdAt, Instant.now());
        }

        Stage stage(Duration generationTime) {
            Duration age = age();
            if (age.compareTo(generationTime.dividedBy(4)) < 0) {
                return Stage.QUEUED;
            } else if (prompt.contains("[sim:forever]") || age.compareTo(generationTime) < 0) {
                return Stage.RUNNING;
            } else if (prompt.contains("[sim:error]")) {
                return Stage.FAILED;
            } else if (prompt.contains("[sim:blocked]")) {
                return Stage.BLOCKED;
            }
            return Stage.SUCCEEDED;
        }
    }

    private final Map<String, Generation> byId = new ConcurrentHashMap<>();

    void add(Generation generation) {
        byId.put(generation.id(), generation);
    }

    /** The generation of this id, or null (also for a null id). */
    Generation get(String id) {
        return id == null ? null : byId.get(id);
    }

    /** The prompt of the generation of this id: whose job a poll is for. */
    String promptOf(String id) {
        Generation generation = get(id);
        return generation == null ? null : generation.prompt();
    }

    void clear() {
        byId.clear();
    }

    int expireWhere(String promptPart) {
        int before = byId.size();
        byId.values().removeIf(g -> g.prompt().contains(promptPart));
        return before - byId.size();
    }
}
