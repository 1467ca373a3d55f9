#!/usr/bin/env bash
# Two instances of the application in one Kafka consumer group, sharing the topic segment-events of a local broker
# (scripts/local-kafka.sh, or KAFKA_BOOTSTRAP_SERVERS): instance a serves http://127.0.0.1:8080, instance b
# http://127.0.0.1:8090, each in its own folder (work/pair-a, work/pair-b) with the embedded LaunchDarkly stand-in.
# Their Tracking API (write key demo-key) writes to the topic, and each delivers its share of the partitions. Ctrl+C
# stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B compile dependency:build-classpath -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime
classpath="$PWD/target/classes:$(cat target/runtime.classpath)"
servers=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT
start() {
    local name=$1 port=$2 management=$3
    mkdir -p "work/pair-$name"
    # each instance's work/ folder (inbox, state, stand-in record) is under its own folder
    (cd "work/pair-$name" && exec java -Xmx256m -cp "$classpath" \
        -Dkafka.enabled=true -Dkafka.bootstrap-servers="$servers" -Dkafka.http-topic=segment-events \
        -Dcamel.server.port="$port" -Dcamel.management.port="$management" -Dhttp.write-keys=demo=demo-key \
        io.github.segmentld.Application > app.log 2>&1) &
    pids+=($!)
    echo "instance $name: http://127.0.0.1:$port (log work/pair-$name/app.log, delivered events in" \
        "work/pair-$name/work/stand-in/received.ndjson)"
}
start a 8080 8081
start b 8090 8091
wait
