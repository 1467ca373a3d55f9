package io.github.segmentld.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.Application;
import io.github.segmentld.Loopback;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.RouteController;
import org.apache.camel.main.Main;

/**
 * The HTTP part of the benchmark: the Tracking API under a load of batches of 100 events from a second process, against
 * a bare endpoint on the same HTTP stack that only reads the body and answers 200. The Tracking API is loaded twice:
 * (a) with the pipeline delivering what it accepts meanwhile, in the same JVM on the same cores, and (b) acceptance
 * alone, the route that reads the rolled spool segments from the inbox suspended during the load and resumed after it;
 * then it times how long the accepted events take to reach the stand-in, and checks that every one of them does.
 */
final class HttpBenchmark {

    /** The route that reads the inbox, where the spool rolls its segments (routes/ingest-file.yaml). */
    private static final String INBOX_ROUTE = "ingest-file";
    private static final int SENDERS = 8;
    private static final int SECONDS = 10;
    private static final int WARM_UP_SECONDS = 20;
    /** How long the drain may go without a LaunchDarkly event arriving before the run is taken as failed. */
    private static final long STALL_NANOS = 60_000_000_000L;
    private static final Pattern LOAD_OUTPUT = Pattern.compile(
            "requests=(\\d+) events=(\\d+) failed=(\\d+) seconds=([\\d.]+) answered=\\[([\\d, ]*)]");

    /** One load: its events answered 200, failures, seconds, requests answered per body, process CPU time. */
    private record Load(long events, long failed, double seconds, long[] answeredPerBody, long cpuNanos,
                        long standInCpuNanos) {

        double rate() {
            return events / seconds;
        }

        double cpuMsPer1000() {
            return cpuNanos / 1e3 / events;
        }
    }

    private HttpBenchmark() {
    }

    static void run(Path work) throws Exception {
        StandIn standIn = new StandIn();
        int port = Loopback.freePort();
        Properties p = Benchmark.applicationSettings(work, standIn.port());
        p.setProperty("http.enabled", "true");
        p.setProperty("camel.server.enabled", "true");
        p.setProperty("camel.server.port", Integer.toString(port));
        p.setProperty("http.write-keys", "bench=bench-write-key");
        Main main = new Main(Application.class);
        main.setOverrideProperties(p);
        main.start();
        // A lambda, not a RouteBuilder class: camel-main would pick such a class up in every test's application.
        RouteBuilder.addRoutes(main.getCamelContext(), bare -> bare
                .from("platform-http:/bench/bare?httpMethodRestrict=POST&populateBodyWithForm=false")
                .convertBodyTo(byte[].class)
                .setBody(bare.constant("{\"success\":true}")));
        long[] launchDarklyEventsPerBody = launchDarklyEventsPerBody();
        String base = "http://127.0.0.1:" + port;
        try {
            // Warm-up: the JIT compiles the Tracking API's and the pipeline's code for the first tens of seconds, at a
            // CPU cost that would be counted in the first loads.
            awaitDelivered(standIn, expected(load(base + "/v1/batch", "w", WARM_UP_SECONDS, standIn),
                    launchDarklyEventsPerBody));
            load(base + "/bench/bare", "w", WARM_UP_SECONDS / 2, standIn);
            standIn.reset();
            Load bare = load(base + "/bench/bare", "bare", SECONDS, standIn);
            Load delivering = load(base + "/v1/batch", "a", SECONDS, standIn);
            long deliveredDuringLoad = standIn.events();
            awaitDelivered(standIn, expected(delivering, launchDarklyEventsPerBody));
            standIn.reset();
            RouteController routes = main.getCamelContext().getRouteController();
            routes.suspendRoute(INBOX_ROUTE);
            Load accepting = load(base + "/v1/batch", "b", SECONDS, standIn);
            long deliveredWhileSuspended = standIn.events();
            long resumed = System.nanoTime();
            routes.resumeRoute(INBOX_ROUTE);
            long expected = expected(accepting, launchDarklyEventsPerBody);
            awaitDelivered(standIn, expected);
            double drainSeconds = (System.nanoTime() - resumed) / 1e9;

            System.out.println();
            System.out.printf(Locale.ROOT, "HTTP, batches of 100 events from a second process, %d senders, %d s each%n",
                    SENDERS, SECONDS);
            System.out.printf(Locale.ROOT, "bare endpoint (read body, 200)  %,.0f events/s (%d failed), CPU %.2f ms per"
                    + " 1,000 events%n", bare.rate(), bare.failed(), bare.cpuMsPer1000());
            System.out.printf(Locale.ROOT, "(a) Tracking API, delivering    %,.0f events/s accepted (%d failed), ratio to"
                    + " bare %.2f, CPU %.2f ms per 1,000 (%.2f without the stand-in's threads)%n", delivering.rate(),
                    delivering.failed(), delivering.rate() / bare.rate(), delivering.cpuMsPer1000(),
                    (delivering.cpuNanos() - delivering.standInCpuNanos()) / 1e3 / delivering.events());
            System.out.printf(Locale.ROOT, "    delivered meanwhile         %,d LaunchDarkly events during the load, all %,d"
                    + " after it%n", deliveredDuringLoad, expected(delivering, launchDarklyEventsPerBody));
            System.out.printf(Locale.ROOT, "(b) Tracking API, accepting     %,.0f events/s accepted (%d failed), ratio to"
                    + " bare %.2f, CPU %.2f ms per 1,000 (inbox route suspended)%n", accepting.rate(),
                    accepting.failed(), accepting.rate() / bare.rate(), accepting.cpuMsPer1000());
            System.out.printf(Locale.ROOT, "    drained after resuming      %.2f s (%,d of %,d LaunchDarkly events, %,d"
                    + " delivered while suspended)%n", drainSeconds, standIn.events(), expected,
                    deliveredWhileSuspended);
        } finally {
            main.stop();
            standIn.close();
        }
    }

    /** Runs {@link HttpLoad} in a JVM of its own, measuring this process's CPU time meanwhile. */
    private static Load load(String url, String tag, int seconds, StandIn standIn) throws Exception {
        long cpu = Benchmark.processCpuNanos();
        long standInCpu = standIn.cpuNanos();
        Process load = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HttpLoad.class.getName(), url, "bench-write-key",
                Integer.toString(SENDERS), Integer.toString(seconds), tag)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        load.waitFor();
        cpu = Benchmark.processCpuNanos() - cpu;
        standInCpu = standIn.cpuNanos() - standInCpu;
        Matcher m = LOAD_OUTPUT.matcher(line);
        if (!m.find()) {
            throw new IllegalStateException("unexpected output of the load process: " + line);
        }
        long[] answered = Arrays.stream(m.group(5).split(", ")).mapToLong(Long::parseLong).toArray();
        return new Load(Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Double.parseDouble(m.group(4)),
                answered, cpu, standInCpu);
    }

    /** The LaunchDarkly events the accepted requests become. */
    private static long expected(Load load, long[] launchDarklyEventsPerBody) {
        long events = 0;
        for (int b = 0; b < launchDarklyEventsPerBody.length; b++) {
            events += load.answeredPerBody()[b] * launchDarklyEventsPerBody[b];
        }
        return events;
    }

    /** The LaunchDarkly events of each of the load's bodies, mapped as the plain loop maps them. */
    private static long[] launchDarklyEventsPerBody() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<Mapping> presets = Actions.presets("default");
        EventChunk chunk = new EventChunk(new InputSource("bench", "bench", "item", 0), 0, List.of());
        List<byte[]> bodies = HttpLoad.bodies();
        long[] counts = new long[bodies.size()];
        for (int b = 0; b < bodies.size(); b++) {
            long line = 0;
            for (JsonNode event : mapper.readTree(bodies.get(b)).get("batch")) {
                counts[b] += PlainLoop.mapped((ObjectNode) event, ++line, presets, chunk).size();
            }
        }
        return counts;
    }

    /** Waits until the stand-in has received the events; fails when none arrives for a minute before that. */
    private static void awaitDelivered(StandIn standIn, long expected) throws InterruptedException {
        long seen = standIn.events();
        long progressAt = System.nanoTime();
        while (seen < expected) {
            Thread.sleep(20);
            long now = standIn.events();
            if (now != seen) {
                seen = now;
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > STALL_NANOS) {
                throw new IllegalStateException("the stand-in received " + seen + " LaunchDarkly events, expected "
                        + expected);
            }
        }
        if (seen != expected) {
            throw new IllegalStateException("the stand-in received " + seen + " LaunchDarkly events, expected " + expected);
        }
    }
}
