package io.github.segmentld.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A LaunchDarkly stand-in for the scale-out benchmark, in the benchmark's own process and uncapped: it reads and
 * discards each body, counts its events (the elements of the JSON array, by a scan that parses nothing) and notes when
 * each request arrived with the count so far, so that the rate can be taken between two marks of a run. Each instance
 * posts through a route of its own ({@code /<route>/events/bulk/<id>}), so that its first request can be told apart.
 */
final class TimedStandIn implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "stand-in");
        thread.setDaemon(true);
        return thread;
    });
    private final List<RateWindow.Sample> samples = new ArrayList<>();
    private final Map<String, Long> firstRequestNanos = new ConcurrentHashMap<>();
    private long events;
    private long bytes;

    TimedStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The events base URL of one instance. */
    String baseUrl(String route) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + route;
    }

    /** Forgets the previous run. */
    synchronized void reset() {
        samples.clear();
        firstRequestNanos.clear();
        events = 0;
        bytes = 0;
    }

    synchronized long events() {
        return events;
    }

    synchronized long bytes() {
        return bytes;
    }

    /** The count after each request, in order of arrival. */
    synchronized List<RateWindow.Sample> samples() {
        return List.copyOf(samples);
    }

    /** When each route's first request arrived (System.nanoTime). */
    Map<String, Long> firstRequests() {
        return Map.copyOf(firstRequestNanos);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int bulk = path.indexOf("/events/bulk/");
            if (bulk < 0) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body;
            try (InputStream in = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                    ? new GZIPInputStream(exchange.getRequestBody()) : exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long count = arrayElements(body);
            long now = System.nanoTime();
            firstRequestNanos.putIfAbsent(path.substring(1, Math.max(1, bulk)), now);
            synchronized (this) {
                events += count;
                bytes += body.length;
                samples.add(new RateWindow.Sample(now, events));
            }
            exchange.sendResponseHeaders(202, -1);
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
