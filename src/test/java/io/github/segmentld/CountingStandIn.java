package io.github.segmentld;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.camel.support.GZIPHelper;

/**
 * A LaunchDarkly events API stand-in for long and large runs, on 127.0.0.1 and a port of its own. It keeps no bodies:
 * it counts, per client-side ID, the events it accepted by their user, as LaunchDarkly does with payload IDs (a
 * payload ID accepted before is answered but dropped), and notes every user it receives under a second payload ID:
 * an event delivered twice. It answers what the test sets: 202, a failure status, and an optional delay.
 *
 * <p>A fault test forces its scenario by holding answers: from a chosen request on, each request is read (and, if it
 * is to be answered 2xx, accepted) but its answer waits until {@link #release()}. So "killed with batches accepted and
 * unanswered" is certain once {@link #held} is positive, whatever the machine's speed. Each application under test may
 * post through a route of its own ({@link #baseUrl(String)}), so that one instance's answers can be held alone.
 */
public final class CountingStandIn implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Map<String, String>> payloadOfUser = new ConcurrentHashMap<>();
    private final Set<String> acceptedPayloads = ConcurrentHashMap.newKeySet();
    private final List<String> doubled = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();
    private final Map<String, Integer> statusByClientSideId = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> requestsByRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> heldByRoute = new ConcurrentHashMap<>();
    private final Map<String, Long> holdFromByRoute = new ConcurrentHashMap<>();
    private volatile CountDownLatch released = new CountDownLatch(0);
    private volatile int status = 202;
    private volatile long delayMillis;

    /** A held answer is given anyway after this long, so that a test that forgets to release ends all the same. */
    private static final long LONGEST_HOLD_SECONDS = 120;

    public CountingStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // a thread per connection: held answers must not starve the requests of the applications not held
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The events base URL of one application under test, so that its answers can be held alone. */
    public String baseUrl(String route) {
        return baseUrl() + "/" + route;
    }

    /**
     * Holds the answers of the requests posted through {@code route} ({@code ""} for {@link #baseUrl()}) once it has
     * answered {@code answered} more of them, until {@link #release()}.
     */
    public void holdAfter(String route, long answered) {
        if (released.getCount() == 0) {
            released = new CountDownLatch(1);
        }
        holdFromByRoute.put(route, requestsOf(route).get() + answered);
    }

    /** How many requests posted through {@code route} wait for their answer. */
    public long held(String route) {
        return heldByRoute.computeIfAbsent(route, r -> new AtomicLong()).get();
    }

    /** Answers the held requests, and holds no more. */
    public void release() {
        holdFromByRoute.clear();
        released.countDown();
    }

    /** What every request is answered (202, or a failure such as 503 or 400). */
    public void answer(int status) {
        this.status = status;
    }

    /** What requests for one client-side ID are answered, whatever the others are. */
    public void answer(String clientSideId, int status) {
        statusByClientSideId.put(clientSideId, status);
    }

    public void delay(long millis) {
        this.delayMillis = millis;
    }

    public long requests() {
        return requests.get();
    }

    /** How many distinct users' events were accepted for a client-side ID. */
    public int acceptedUsers(String clientSideId) {
        return payloadOfUser.getOrDefault(clientSideId, Map.of()).size();
    }

    /** The users whose events were accepted for a client-side ID. */
    public Set<String> acceptedUserIds(String clientSideId) {
        return Set.copyOf(payloadOfUser.getOrDefault(clientSideId, Map.of()).keySet());
    }

    public boolean accepted(String clientSideId, String user) {
        return payloadOfUser.getOrDefault(clientSideId, Map.of()).containsKey(user);
    }

    /** The payload IDs of the batches accepted for a client-side ID. */
    public Set<String> acceptedPayloadIds(String clientSideId) {
        return acceptedPayloads.stream().filter(accepted -> accepted.startsWith(clientSideId + "/"))
                .map(accepted -> accepted.substring(clientSideId.length() + 1))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Accepted payloads sent again under their payload ID, which LaunchDarkly drops. */
    public long repeatedPayloads() {
        return repeated.get();
    }

    /** The users whose event was accepted under two payload IDs. */
    public synchronized List<String> doubled() {
        return List.copyOf(doubled);
    }

    private AtomicLong requestsOf(String route) {
        return requestsByRoute.computeIfAbsent(route, r -> new AtomicLong());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        int bulk = path.indexOf("/events/bulk/");
        if (bulk < 0) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        requests.incrementAndGet();
        String route = path.substring(bulk == 0 ? 0 : 1, bulk);
        long number = requestsOf(route).incrementAndGet();
        Long holdFrom = holdFromByRoute.get(route);
        boolean hold = holdFrom != null && number > holdFrom;
        String clientSideId = path.substring(bulk + "/events/bulk/".length());
        String payloadId = exchange.getRequestHeaders().getFirst("X-LaunchDarkly-Payload-ID");
        try (exchange; InputStream body = GZIPHelper.uncompressGzip(
                exchange.getRequestHeaders().getFirst("Content-Encoding"), exchange.getRequestBody())) {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            int answer = statusByClientSideId.getOrDefault(clientSideId, status);
            if (answer / 100 != 2) {
                body.readAllBytes();
            } else {
                // The whole body is read before the payload counts as accepted: LaunchDarkly does not keep (and so
                // does not drop again) a payload whose body broke off, as when its sender is killed mid-request.
                List<String> sent = users(body);
                if (!acceptedPayloads.add(clientSideId + "/" + payloadId)) {
                    repeated.incrementAndGet();
                } else {
                    Map<String, String> users = payloadOfUser.computeIfAbsent(clientSideId,
                            id -> new ConcurrentHashMap<>());
                    for (String user : sent) {
                        String before = users.putIfAbsent(user, payloadId);
                        if (before != null && !before.equals(payloadId)) {
                            synchronized (this) {
                                doubled.add(clientSideId + "/" + user);
                            }
                        }
                    }
                }
            }
            if (hold) {
                AtomicLong held = heldByRoute.computeIfAbsent(route, r -> new AtomicLong());
                held.incrementAndGet();
                try {
                    released.await(LONGEST_HOLD_SECONDS, TimeUnit.SECONDS);
                } finally {
                    held.decrementAndGet();
                }
            }
            exchange.sendResponseHeaders(answer, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The users of the events of a body, read as a stream: contextKeys.user of custom events, key of aliases. */
    private static List<String> users(InputStream body) throws IOException {
        List<String> users = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.createParser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                JsonNode event = Json.MAPPER.readTree(parser);
                users.add(event.has("contextKeys") ? event.path("contextKeys").path("user").asText()
                        : event.path("key").asText());
            }
        }
        return users;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
