#!/usr/bin/env bash
# Scale-out benchmark: the file path, 1, 2, 3 instances of a Kafka consumer group, and JMS instances (each receiving a
# queue of its own), each instance a JVM in a cgroup of its own capped at a CPU share (cgroup v1, as root), each broker
# a JVM of its own. Stops by itself (every wait has a deadline) and removes its processes and cgroups.
# Usage: bench/scale-out.sh [key=value ...], for example
#   bench/scale-out.sh events=300000 shares=0.5,0.4 partitions=6 runs=file,1,2,3
#   bench/scale-out.sh shares=0.5 runs=file,jms1,jms2 per-message=100     (the JMS path, 100 events a message)
#   bench/scale-out.sh shares=0.5 runs=file,1 jvm='|-XX:ActiveProcessorCount=2' rounds=2   (A/B of JVM options)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java -Xmx${BENCH_HEAP:-512m} -Dlog4j2.configurationFile=log4j2-test.properties \
    -cp "$PWD/target/test-classes:$PWD/target/classes:$(cat target/bench.classpath)" \
    io.github.segmentld.bench.ScaleOutBenchmark "$@"
