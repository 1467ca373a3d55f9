package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends Tracking API batches as Segment's clients do: a request without an answer (the server died, or is not
 * listening yet) or with a 5xx is sent again, with the same messageIds, until it is answered 200.
 */
final class RetryingSender {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;
    private final String writeKey;
    private final AtomicInteger refused = new AtomicInteger();

    RetryingSender(int port, String writeKey) {
        this.port = port;
        this.writeKey = writeKey;
    }

    /** A batch of track calls whose messageIds and users are {@code prefix-0}, {@code prefix-1}... */
    static String batch(String prefix, int events, int paddingChars) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < events; i++) {
            batch.append(i > 0 ? "," : "").append("{\"type\":\"track\",\"messageId\":\"").append(prefix).append('-')
                    .append(i).append("\",\"userId\":\"").append(prefix).append('-').append(i)
                    .append("\",\"event\":\"E\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"properties\":{\"note\":\"")
                    .append("x".repeat(paddingChars)).append("\"}}");
        }
        return batch.append("]}").toString();
    }

    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes());
    }

    /** Sends until the answer is 200; returns the attempts it took. A 503 must come with Retry-After. */
    int sendUntilAcknowledged(String json) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
                .header("Authorization", basicAuthorization())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (int attempt = 1; System.nanoTime() < deadline; attempt++) {
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return attempt;
                }
                assertThat(response.statusCode()).as("only a 5xx is retried").isGreaterThanOrEqualTo(500);
                if (response.statusCode() == 503) {
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                }
                refused.incrementAndGet();
            } catch (IOException noAnswer) {
                // killed, or not listening yet: sent again
            }
            Thread.sleep(100);
        }
        throw new AssertionError("never acknowledged");
    }

    /** How many answers were 5xx. */
    int refused() {
        return refused.get();
    }
}
