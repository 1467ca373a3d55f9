#!/usr/bin/env bash
# A local Kafka broker for the Kafka source, without installing Kafka: an in-process KRaft broker on 127.0.0.1:9092
# (or the port given) with the topic segment-events in 6 partitions, until Ctrl+C. Nothing is kept after it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath
exec java -Xmx512m -Dlog4j2.configurationFile=log4j2-test.properties \
    -cp "target/test-classes:target/classes:$(cat target/test.classpath)" io.github.segmentld.tools.LocalKafka "$@"
