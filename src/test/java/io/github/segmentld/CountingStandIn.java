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
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A LaunchDarkly events API stand-in for long and large runs, on 127.0.0.1 and a port of its own. It keeps no bodies:
 * it counts, per client-side ID, the events it accepted by their user, as LaunchDarkly does with payload IDs (a
 * payload ID accepted before is answered but dropped), and notes every user it receives under a second payload ID:
 * an event delivered twice. It answers what the test sets: 202, a failure status, and an optional delay.
 */
public final class CountingStandIn implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Map<String, String>> payloadOfUser = new ConcurrentHashMap<>();
    private final Set<String> acceptedPayloads = ConcurrentHashMap.newKeySet();
    private final List<String> doubled = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong repeated = new AtomicLong();
    private final Map<String, Integer> statusByClientSideId = new ConcurrentHashMap<>();
    private volatile int status = 202;
    private volatile long delayMillis;

    public CountingStandIn() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/events/bulk/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
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

    /** The users whose event was accepted under two payload IDs. */
    /** Accepted payloads sent again under their payload ID, which LaunchDarkly drops. */
    public long repeatedPayloads() {
        return repeated.get();
    }

    public synchronized List<String> doubled() {
        return List.copyOf(doubled);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String clientSideId = exchange.getRequestURI().getPath().substring("/events/bulk/".length());
        String payloadId = exchange.getRequestHeaders().getFirst("X-LaunchDarkly-Payload-ID");
        try (exchange; InputStream body = exchange.getRequestBody()) {
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
        server.stop(0);
    }
}
