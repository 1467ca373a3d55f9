package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * A client that never finishes its request loses its connection: the headers must be complete within
 * {@code http.header-timeout-seconds}, the body within {@code http.body-timeout-seconds} of them. The idle timeout is
 * longer than the reads of the test may wait, so it cannot be what closes them.
 */
class SlowClientTest extends HttpSourceTestSupport {

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("http.idle-timeout-seconds", "600");
        properties.setProperty("http.header-timeout-seconds", "1");
        properties.setProperty("http.body-timeout-seconds", "1");
    }

    @Test
    void aConnectionThatNeverFinishesItsHeadersIsClosed() {
        try (RawConnection client = new RawConnection(port)) {
            client.send("POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");

            assertThat(client.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() {
        try (RawConnection client = new RawConnection(port)) {
            assertThat(client.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void aBodyThatNeverFinishesIsAnswered408AndTheConnectionClosed() {
        try (RawConnection client = new RawConnection(port)) {
            client.send("POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic(WRITE_KEY + ":")
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"userId\":\"u\",");

            String answer = client.readUntilClosed();

            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("\r\nConnection: close\r\n")
                    .endsWith("\r\n\r\n{\"success\":false,\"message\":\"the request body did not arrive within 1 s\"}");
        }
        assertThat(spooled()).isEmpty();
    }

    @Test
    void aKeptAliveConnectionIsClosedWhenTheNextRequestsHeadersDoNotComeInTime() {
        try (RawConnection client = new RawConnection(port)) {
            client.send("POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + basic(WRITE_KEY + ":")
                    + "\r\nContent-Length: 30\r\n\r\n{\"userId\":\"u\",\"event\":\"Quick\"}");
            assertThat(client.readHead()).startsWith("HTTP/1.1 200 OK\r\n");

            client.send("POST /v1/track HTTP/1.1\r\nHost: 127.0.0.1\r\n");

            assertThat(client.readUntilClosed()).isEmpty();
        }
        assertThat(spooled()).extracting(event -> event.path("event").asText()).containsExactly("Quick");
    }
}
