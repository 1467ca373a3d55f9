#!/usr/bin/env bash
# Benchmark: a synthetic gzipped NDJSON file of Segment events through the whole application into a local stand-in,
# against a plain Jackson loop over the same file in the same JVM.
# Usage: bench/run.sh [events] [--file-only | --http-only | --jms] (default 1,000,000 events; --file-only: the file
# part alone; --http-only: the HTTP part alone; --jms: the file part, then the JMS part beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath
exec java -Xmx${BENCH_HEAP:-256m} -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
    io.github.segmentld.bench.Benchmark "$@"
