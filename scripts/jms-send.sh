#!/usr/bin/env bash
# Sends a file of Segment events to a queue of an Artemis broker (scripts/local-artemis.sh's unless given), for trying
# the JMS source: an .ndjson file a message per line, any other file (a JSON event, array or batch) as one message.
# Usage: scripts/jms-send.sh FILE [BROKER_URL (tcp://127.0.0.1:61616)] [QUEUE (segment-events)]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: scripts/jms-send.sh FILE [BROKER_URL] [QUEUE]" >&2; exit 2; }
file="$(realpath "$1")"; shift
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath
exec java -Dlog4j2.configurationFile=log4j2-test.properties \
    -cp "target/test-classes:target/classes:$(cat target/test.classpath)" io.github.segmentld.tools.JmsSend "$file" "$@"
