package io.github.segmentld.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The benchmarks' LaunchDarkly stand-in, in the benchmark's own process: it reads each body, gunzips it when it is
 * gzipped, counts its events (the elements of the JSON array, by a scan that parses nothing) and discards it, answering
 * {@link #status}. It counts the requests, the bytes as they came on the wire and as plain JSON, and notes when each
 * accepted request arrived with the count so far, so that a rate can be taken between two marks of a run. Any path
 * ending in {@code /events/bulk/<id>} is taken, so that each instance of a run can post through a route of its own
 * ({@link #baseUrl}), whose own count is kept too.
 */
final class StandIn implements AutoCloseable {

    private final HttpServer server;
    /** The threads the stand-in runs on (its handlers' and its server's dispatcher), for their CPU time. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "stand-in");
        thread.setDaemon(true);
        threads.add(thread);
        return thread;
    });
    private final List<RateWindow.Sample> samples = new ArrayList<>();
    /** Each route's own count after each of its accepted requests, in order of arrival. */
    private final Map<String, List<RateWindow.Sample>> routeSamples = new HashMap<>();
    /** What it answers: 202, or a failure such as 503 for an outage (its requests then count, not their events). */
    volatile int status = 202;
    private long requests;
    private long events;
    private long wireBytes;
    private long jsonBytes;

    StandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        List<Thread> before = List.copyOf(Thread.getAllStackTraces().keySet());
        server.start();
        Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.getName().startsWith("HTTP-Dispatcher"))
                .forEach(threads::add);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The events base URL of one instance. */
    String baseUrl(String route) {
        return "http://127.0.0.1:" + port() + "/" + route;
    }

    /** Forgets the previous run. */
    synchronized void reset() {
        samples.clear();
        routeSamples.clear();
        requests = 0;
        events = 0;
        wireBytes = 0;
        jsonBytes = 0;
    }

    synchronized long requests() {
        return requests;
    }

    synchronized long events() {
        return events;
    }

    /** The accepted requests' bodies as they came, gzipped or not. */
    synchronized long wireBytes() {
        return wireBytes;
    }

    /** The same bodies gunzipped: what plain requests would have sent. */
    synchronized long jsonBytes() {
        return jsonBytes;
    }

    /** The count after each accepted request, in order of arrival. */
    synchronized List<RateWindow.Sample> samples() {
        return List.copyOf(samples);
    }

    /** Each route's count after each of its accepted requests, in order of arrival. */
    synchronized Map<String, List<RateWindow.Sample>> routeSamples() {
        Map<String, List<RateWindow.Sample>> copy = new HashMap<>();
        routeSamples.forEach((route, counts) -> copy.put(route, List.copyOf(counts)));
        return copy;
    }

    /** The CPU time of the stand-in's threads so far (of those alive). */
    long cpuNanos() {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        return threads.stream().mapToLong(thread -> Math.max(0, cpu.getThreadCpuTime(thread.getId()))).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int bulk = path.indexOf("/events/bulk/");
            if (bulk < 0) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] wire;
            try (InputStream in = exchange.getRequestBody()) {
                wire = in.readAllBytes();
            }
            byte[] json = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(new ByteArrayInputStream(wire)).readAllBytes() : wire;
            long count = arrayElements(json);
            long now = System.nanoTime();
            int answer = status;
            synchronized (this) {
                requests++;
                if (answer == 202) {
                    events += count;
                    wireBytes += wire.length;
                    jsonBytes += json.length;
                    samples.add(new RateWindow.Sample(now, events));
                    List<RateWindow.Sample> route = routeSamples.computeIfAbsent(path.substring(1, Math.max(1, bulk)),
                            name -> new ArrayList<>());
                    route.add(new RateWindow.Sample(now, (route.isEmpty() ? 0 : route.get(route.size() - 1).count())
                            + count));
                }
            }
            exchange.sendResponseHeaders(answer, -1);
        }
    }

    /** The elements of a top-level JSON array of objects: the objects opened one level deep, outside strings. */
    static long arrayElements(byte[] json) {
        long elements = 0;
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                if (b == '{' && depth == 1) {
                    elements++;
                }
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return elements;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
