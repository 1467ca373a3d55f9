package io.github.segmentld.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP server on 127.0.0.1 and a port of its own that keeps every request as it came over the wire: method, path,
 * headers and the body's bytes, not decoded (a gzipped body stays gzipped). It answers 202 with an empty body, or what
 * the test sets for a path. A test may hold the answers to a path ({@link #hold}): the request is recorded, and its
 * answer waits until {@link #release}.
 */
final class RecordingHttpServer implements AutoCloseable {

    /** One request as received. */
    record Request(String method, String path, Headers headers, byte[] body) {

        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();

    RecordingHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        // a thread per connection: a held answer must not hold up the other requests
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers requests to {@code path} with this status and JSON body. */
    void answer(String path, int status, String body) {
        answers.put(path, new Answer(status, body));
    }

    /** The requests to {@code path}, in the order they came. */
    List<Request> requests(String path) {
        return requests.stream().filter(request -> request.path().equals(path)).toList();
    }

    /** Holds the answers to {@code path} until {@link #release}: a held request is recorded first. */
    void hold(String path) {
        holds.put(path, new CountDownLatch(1));
    }

    /** How many requests wait for their answer. */
    int held() {
        return held.get();
    }

    /** Answers the held requests, and holds no more. */
    void release() {
        holds.values().forEach(CountDownLatch::countDown);
        holds.clear();
    }

    /** Forgets the requests received so far, the answers set and the holds: as the server started. */
    void reset() {
        release();
        answers.clear();
        forgetRequests();
    }

    /** Forgets the requests received so far. */
    void forgetRequests() {
        requests.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders(), in.readAllBytes()));
        }
        CountDownLatch hold = holds.get(exchange.getRequestURI().getPath());
        if (hold != null) {
            held.incrementAndGet();
            try {
                // answered anyway after a while, so that a test that forgets to release ends all the same
                hold.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
        }
        Answer answer = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(202, ""));
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        if (body.length > 0) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
