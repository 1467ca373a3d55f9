package io.github.segmentld.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import io.github.segmentld.Application;
import org.apache.camel.main.Main;

/**
 * Runs the same synthetic Segment file through (1) a plain loop that only reads, parses, maps and serialises with
 * Jackson and the project's transformers, and (2) the whole application (file route, pipeline, batching, HTTP POSTs)
 * into a local stand-in that reads and discards request bodies; prints both rates, their ratio, the number of HTTP
 * requests, the peak heap and the CPU time per 1,000 events of each; then the outage, HTTP, Kafka and JMS parts. Usage:
 * {@code bench/run.sh [events] [--file-only | --jms]} ({@code --file-only}: the file part alone; {@code --jms}: the file
 * part and the JMS part).
 */
public final class Benchmark {

    private static final int CHUNK = 500;
    /** The events of the Kafka part: the file's first ones, a topic of their size on the in-process broker. */
    private static final int KAFKA_EVENTS = 300_000;
    /** The events of the JMS part: the file's first ones, on a queue of the in-process broker. */
    private static final int JMS_EVENTS = 300_000;

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        boolean fileOnly = arguments.contains("--file-only");
        int events = arguments.stream().filter(a -> !a.startsWith("--")).findFirst().map(Integer::parseInt)
                .orElse(1_000_000);
        Path work = Path.of("target", "bench").toAbsolutePath();
        if (arguments.contains("--http-only")) {
            HttpBenchmark.run(work);
            System.exit(0);
        }
        Path file = work.resolve("segment-events.ndjson.gz");
        System.out.printf(Locale.ROOT, "Generating %,d events...%n", events);
        long jsonBytes = SyntheticSegmentFile.write(file, events, 42);
        System.out.printf(Locale.ROOT, "File: %s (%,d bytes of JSON, %,d gzipped)%n", file, jsonBytes, Files.size(file));

        PlainLoop.run(file, CHUNK); // warm-up: JIT, class loading
        awaitJitQuiet();
        HeapPeak plainPeak = HeapPeak.start();
        long start = System.nanoTime();
        long plainCpuStart = processCpuNanos();
        long plainAllocatedStart = allocatedBytes();
        long plainJit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long[] plain = PlainLoop.run(file, CHUNK);
        long plainCpu = processCpuNanos() - plainCpuStart;
        long plainAllocated = allocatedBytes() - plainAllocatedStart;
        plainJit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - plainJit;
        double plainSeconds = (System.nanoTime() - start) / 1e9;
        long plainHeap = plainPeak.stop();

        // The same run without the delivery log first, as the baseline of the log's cost.
        StandIn withoutLog = new StandIn();
        double noLogSeconds = runApplication(work, file, withoutLog, false).committedSeconds();
        withoutLog.close();
        StandIn standIn = new StandIn();
        HeapPeak appPeak = HeapPeak.start();
        ApplicationRun appRun = runApplication(work, file, standIn, true);
        double appSeconds = appRun.committedSeconds();
        long appHeap = appPeak.stop();
        standIn.close();
        long logRows = loggedEvents(work);

        double plainRate = events / plainSeconds;
        double appRate = events / appSeconds;
        System.out.println();
        System.out.printf(Locale.ROOT, "events in file                 %,d (%,d LaunchDarkly events)%n", events, plain[0]);
        System.out.printf(Locale.ROOT, "plain Jackson loop             %,.0f events/s (%.2f s, peak heap %d MiB)%n",
                plainRate, plainSeconds, plainHeap >> 20);
        System.out.printf(Locale.ROOT, "application, file -> HTTP      %,.0f events/s (%.2f s, peak heap %d MiB)%n",
                appRate, appSeconds, appHeap >> 20);
        System.out.printf(Locale.ROOT, "ratio application / plain      %.2f%n", appRate / plainRate);
        System.out.printf(Locale.ROOT, "JIT compiling during the run   plain %,d ms, application %,d ms%n", plainJit,
                appRun.jitMillis());
        System.out.printf(Locale.ROOT, "CPU per 1,000 events           plain %.2f ms, application %.2f ms (%.2f ms"
                + " without the stand-in's threads)%n", plainCpu / 1e3 / events, appRun.cpuNanos() / 1e3 / events,
                (appRun.cpuNanos() - appRun.standInCpuNanos()) / 1e3 / events);
        System.out.printf(Locale.ROOT, "allocated per 1,000 events     plain %,d KiB, application %,d KiB%n",
                plainAllocated / events, appRun.allocatedBytes() / events);
        double noLogRate = events / noLogSeconds;
        System.out.printf(Locale.ROOT, "the same without delivery log  %,.0f events/s (%.2f s), ratio %.2f%n",
                noLogRate, noLogSeconds, noLogRate / plainRate);
        System.out.printf(Locale.ROOT, "ratio with log / without       %.2f (log: %,d events, written %.2f s after"
                + " the file was committed)%n", appRate / noLogRate, logRows, appRun.logDrainSeconds());
        System.out.printf(Locale.ROOT, "HTTP requests                  %,d (%,d events, %,d bytes)%n",
                standIn.requests(), standIn.events(), standIn.wireBytes());
        // the plain figure needs no run of its own: it is the same requests' JSON, gunzipped by the stand-in
        System.out.printf(Locale.ROOT, "bytes/event to LaunchDarkly    %.1f gzipped, %.1f as plain JSON (ratio %.3f)%n",
                (double) standIn.wireBytes() / standIn.events(),
                (double) standIn.jsonBytes() / standIn.events(), (double) standIn.wireBytes() / standIn.jsonBytes());
        System.out.printf(Locale.ROOT, "max heap (-Xmx)                %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        if (standIn.events() != plain[0]) {
            throw new IllegalStateException("the stand-in received " + standIn.events() + " events, expected " + plain[0]);
        }
        if (fileOnly) {
            System.exit(0);
        }
        if (arguments.contains("--jms")) {
            jms(work, file, events, appRate);
            System.exit(0);
        }
        outage(work, file, plain[0]);
        HttpBenchmark.run(work);
        StandIn kafkaStandIn = new StandIn();
        KafkaBenchmark.run(file, Math.min(events, KAFKA_EVENTS), appRate, () -> {
            try {
                return applicationSettings(work, kafkaStandIn.port());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        kafkaStandIn.close();
        jms(work, file, events, appRate);
        System.exit(0);
    }

    /** The JMS part: one event a message, then 100 a message (a JSON array), each on a queue of its own. */
    private static void jms(Path work, Path file, int events, double fileRate) throws Exception {
        for (int perMessage : new int[] {1, 100}) {
            StandIn jmsStandIn = new StandIn();
            JmsBenchmark.run(work, file, Math.min(events, JMS_EVENTS), perMessage, fileRate, applicationSettings(work,
                    jmsStandIn.port()));
            jmsStandIn.close();
        }
    }

    /**
     * The same file dropped while LaunchDarkly answers 503: how long the file takes to be committed (its batches parked
     * in the retry queue), how long the queue takes to drain once LaunchDarkly is back, and the peak heap of it all.
     */
    private static void outage(Path work, Path file, long launchDarklyEvents) throws Exception {
        StandIn standIn = new StandIn();
        standIn.status = 503;
        Properties p = applicationSettings(work, standIn.port());
        p.setProperty("launchdarkly.circuit.open-ms", Long.toString(OUTAGE_CIRCUIT_OPEN_MS));
        p.setProperty("retry-queue.drain-batches", Integer.toString(OUTAGE_DRAIN_BATCHES));
        HeapPeak peak = HeapPeak.start();
        Main main = new Main(Application.class);
        main.setOverrideProperties(p);
        main.start();
        try {
            double committedAfter = dropAndAwaitDone(work, file);
            long requestsWhileDown = standIn.requests();
            long recovered = System.nanoTime();
            standIn.status = 202;
            while (standIn.events() < launchDarklyEvents) {
                Thread.sleep(20);
            }
            double drainSeconds = (System.nanoTime() - recovered) / 1e9;
            long heap = peak.stop();
            System.out.println();
            System.out.printf(Locale.ROOT, "outage: LaunchDarkly answers 503 while the file is read (circuit open %d s,"
                    + " drain %d batches/s)%n", OUTAGE_CIRCUIT_OPEN_MS / 1000, OUTAGE_DRAIN_BATCHES);
            System.out.printf(Locale.ROOT, "file committed while down      %.2f s (%,d requests refused, the rest parked"
                    + " without one)%n", committedAfter, requestsWhileDown);
            System.out.printf(Locale.ROOT, "drained after recovery         %.2f s (%,d events)%n", drainSeconds,
                    standIn.events());
            System.out.printf(Locale.ROOT, "peak heap, outage and drain    %d MiB%n", heap >> 20);
        } finally {
            main.stop();
            standIn.close();
        }
    }

    private static final long OUTAGE_CIRCUIT_OPEN_MS = 5000;
    private static final int OUTAGE_DRAIN_BATCHES = 200;

    /**
     * One run of the application on the file.
     *
     * @param committedSeconds until the file was committed
     * @param logDrainSeconds  from then until the delivery log had written what it was handed (its writer is drained
     *                         when the application stops)
     * @param cpuNanos         the process's CPU time until the file was committed: every thread of the JVM, the
     *                         garbage collector, the JIT and the stand-in included
     * @param standInCpuNanos  the stand-in's threads' share of it
     * @param allocatedBytes   the heap allocated by the threads of the JVM until the file was committed
     * @param jitMillis        the time the JIT compilers spent meanwhile (they share the cores with the run)
     */
    private record ApplicationRun(double committedSeconds, double logDrainSeconds, long cpuNanos, long standInCpuNanos,
                                  long allocatedBytes, long jitMillis) {
    }

    private static ApplicationRun runApplication(Path work, Path file, StandIn standIn, boolean deliveryLog)
            throws Exception {
        Main main = new Main(Application.class);
        Properties settings = applicationSettings(work, standIn.port());
        settings.setProperty("delivery-log.enabled", Boolean.toString(deliveryLog));
        main.setOverrideProperties(settings);
        main.start();
        Path dropped = stage(work, file);
        awaitJitQuiet();
        long cpu = processCpuNanos();
        long allocated = allocatedBytes();
        long standInCpu = standIn.cpuNanos();
        long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        double committed = dropAndAwaitDone(work, dropped, file);
        cpu = processCpuNanos() - cpu;
        allocated = allocatedBytes() - allocated;
        standInCpu = standIn.cpuNanos() - standInCpu;
        jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit;
        long stopping = System.nanoTime();
        main.stop();
        return new ApplicationRun(committed, (System.nanoTime() - stopping) / 1e9, cpu, standInCpu, allocated, jit);
    }

    /**
     * Waits (at most 30 s) until the JIT compilers have been idle for a second: each application started in this JVM
     * makes its start-up code hotter, and its compilations would otherwise run on the cores the measured run uses.
     */
    private static void awaitJitQuiet() throws InterruptedException {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long deadline = System.nanoTime() + 30_000_000_000L;
        long before = jit.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = jit.getTotalCompilationTime();
            if (now - before < 20) {
                return;
            }
            before = now;
        }
    }

    /**
     * The heap allocated so far by the JVM's live threads (a figure that does not depend on how busy the machine is,
     * unlike time): the plain loop's and the application's threads live through their runs.
     */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return java.util.Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
                .filter(bytes -> bytes > 0).sum();
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The events in the delivery log of the last run. */
    private static long loggedEvents(Path work) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("state/delivery-log.db"));
             Statement sql = connection.createStatement();
             ResultSet rows = sql.executeQuery(
                     "SELECT COALESCE(SUM(events), 0) FROM logged_group WHERE kind <> 'received'")) {
            return rows.next() ? rows.getLong(1) : 0;
        }
    }

    /** Drops the file into the inbox and returns the seconds until it is committed. */
    private static double dropAndAwaitDone(Path work, Path file) throws Exception {
        return dropAndAwaitDone(work, stage(work, file), file);
    }

    /** Copies the file into the inbox under a name the inbox does not read. */
    private static Path stage(Path work, Path file) throws IOException {
        Path inbox = work.resolve("inbox");
        Files.createDirectories(inbox);
        Path hidden = inbox.resolve(".incoming");
        Files.copy(file, hidden, StandardCopyOption.REPLACE_EXISTING);
        return hidden;
    }

    /** Renames the staged copy to the file's name and returns the seconds until it is committed. */
    private static double dropAndAwaitDone(Path work, Path hidden, Path file) throws Exception {
        Path inbox = work.resolve("inbox");
        Path done = work.resolve("done").resolve(file.getFileName());
        long start = System.nanoTime();
        Files.move(hidden, inbox.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        while (!Files.exists(done)) {
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The settings of a run, in fresh folders. */
    static Properties applicationSettings(Path work, int standInPort) throws IOException {
        for (String folder : new String[] {"inbox", "done", "state", "spool", "dead-letter", "rejected"}) {
            deleteTree(work.resolve(folder));
        }
        Properties p = new Properties();
        p.setProperty("inbox.dir", work.resolve("inbox").toString());
        p.setProperty("spool.dir", work.resolve("spool").toString());
        p.setProperty("inbox.poll-delay-ms", "50");
        p.setProperty("inbox.stable-for-ms", "50");
        p.setProperty("store.dead-letter-dir", work.resolve("dead-letter").toString());
        p.setProperty("store.rejected-dir", work.resolve("rejected").toString());
        p.setProperty("store.ledger-file", work.resolve("state/delivery.db").toString());
        p.setProperty("delivery-log.file", work.resolve("state/delivery-log.db").toString());
        p.setProperty("launchdarkly.client-side-id", "bench-client-side-id");
        p.setProperty("launchdarkly.events-base-url", "http://127.0.0.1:" + standInPort);
        p.setProperty("pipeline.chunk-size", Integer.toString(CHUNK));
        p.setProperty("camel.server.enabled", "false");
        p.setProperty("camel.management.enabled", "false");
        // no management server, so no developer console to feed
        p.setProperty("camel.main.dev-console-enabled", "false");
        p.setProperty("camel.metrics.enabled", "false");
        p.setProperty("http.enabled", "false");
        return p;
    }

    static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
