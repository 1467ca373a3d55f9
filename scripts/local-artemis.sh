#!/usr/bin/env bash
# A local ActiveMQ Artemis broker for the JMS source, without installing one: an in-process broker on 127.0.0.1:61616
# (or the port given) speaking Artemis' Core protocol and AMQP 1.0, queues made when first used, its journal in
# target/local-artemis (or the folder given), until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test.classpath
exec java -Xmx1g -Dlog4j2.configurationFile=log4j2-test.properties \
    -cp "target/test-classes:target/classes:$(cat target/test.classpath)" io.github.segmentld.tools.LocalArtemisBroker "$@"
