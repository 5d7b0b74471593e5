#!/usr/bin/env bash
# Creates the worker's five topics with the policies it relies on (the same as kafka/TopicInitializer.java and
# operators/kafkatopics.yaml), for clusters without Strimzi. Existing topics are left as they are.
#
#   BOOTSTRAP=broker:9092 deploy/create-topics.sh
#
# Environment:
#   BOOTSTRAP        the broker (required)
#   PARTITIONS       partitions of every topic (default 12; the same for all five)
#   REPLICATION      replication factor (default 3)
#   MIN_ISR          min.insync.replicas (default 2)
#   DEDUP_WINDOW_MS  retention of the job log = how long a job id is deduplicated (default 7 days, as
#                    worker.topics.dedup-window)
#   COMMAND_CONFIG   a client properties file for secured clusters (passed as --command-config)
#   KAFKA_BIN        where kafka-topics.sh is (default: on the PATH)
#   DRY_RUN=1        print the commands instead of running them
set -euo pipefail

: "${BOOTSTRAP:?set BOOTSTRAP to the broker address, e.g. BOOTSTRAP=broker:9092}"
PARTITIONS="${PARTITIONS:-12}"
REPLICATION="${REPLICATION:-3}"
MIN_ISR="${MIN_ISR:-2}"
DEDUP_WINDOW_MS="${DEDUP_WINDOW_MS:-604800000}"
TOPICS_CMD="${KAFKA_BIN:+$KAFKA_BIN/}kafka-topics.sh"
# A replay after a crash must see recent history uncompacted.
MIN_COMPACTION_LAG_MS=3600000
# The active segment is never compacted: roll it hourly so that a replay reads about one record per job.
SEGMENT_MS=3600000

create() {
  local topic="$1"
  shift
  local command=("$TOPICS_CMD" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$topic"
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION" --config "min.insync.replicas=$MIN_ISR" "$@")
  if [[ -n "${COMMAND_CONFIG:-}" ]]; then
    command+=(--command-config "$COMMAND_CONFIG")
  fi
  if [[ "${DRY_RUN:-}" == 1 ]]; then
    echo "${command[*]}"
  else
    "${command[@]}"
  fi
}

create generation.requests --config cleanup.policy=delete
create generation.jobs --config cleanup.policy=compact,delete --config "retention.ms=$DEDUP_WINDOW_MS" \
  --config "min.compaction.lag.ms=$MIN_COMPACTION_LAG_MS" --config "segment.ms=$SEGMENT_MS"
create generation.results --config cleanup.policy=delete
create generation.requests.dlq --config cleanup.policy=delete
create generation.control --config cleanup.policy=delete
