package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.github.segmentld.LogCapture;
import org.junit.jupiter.api.Test;

/**
 * Beyond {@code http.max-connections} open at once, a new connection is closed as soon as it is accepted; once some
 * end, requests are served again. The timeouts are longer than the test, so only the limit closes anything.
 */
class ConnectionLimitTest extends HttpSourceTestSupport {

    private static final String GUARD = "io.github.segmentld.server.ConnectionGuard";

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("http.max-connections", "3");
        properties.setProperty("http.idle-timeout-seconds", "600");
        properties.setProperty("http.header-timeout-seconds", "600");
        properties.setProperty("http.body-timeout-seconds", "600");
    }

    @Test
    void connectionsOverTheLimitAreClosedAndRequestsAreServedOnceTheyEnd() {
        List<RawConnection> held = new ArrayList<>();
        try (LogCapture log = new LogCapture(GUARD)) {
            for (int i = 0; i < 3; i++) {
                RawConnection connection = new RawConnection(port);
                held.add(connection);
                // answered, so the server has counted it, and kept alive
                connection.send("GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(connection.readHead()).startsWith("HTTP/1.1 404 Not Found\r\n");
            }

            try (RawConnection overTheLimit = new RawConnection(port)) {
                assertThat(overTheLimit.readUntilClosed()).isEmpty();
            }
            assertThat(log.lines()).containsExactly("WARN HTTP server on port " + port + " has 3 connections open"
                    + " (http.max-connections): new connections are closed until some end");
        } finally {
            held.forEach(RawConnection::close);
        }

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(post("/v1/track", "{\"userId\":\"u\",\"event\":\"After\"}").statusCode()).isEqualTo(200));
        assertThat(spooled()).extracting(event -> event.path("event").asText()).containsExactly("After");
    }
}
