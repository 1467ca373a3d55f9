package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

/** With more waiting for delivery than the backlog limit, the HTTP source answers 503 with Retry-After. */
class BackPressureTest extends HttpSourceTestSupport {

    @Override
    protected void adjust(Properties properties) {
        // A backlog the file route does not reach during the test: 2 KB waiting against a limit of 1 KB.
        properties.setProperty("inbox.poll-delay-ms", "600000");
        properties.setProperty("spool.max-backlog-bytes", "1024");
        properties.setProperty("spool.retry-after-seconds", "7");
        try {
            Files.createDirectories(inbox.inbox());
            Files.writeString(inbox.inbox().resolve("waiting.ndjson"), "{\"type\":\"track\"}\n".repeat(120));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aFullBacklogIsAnswered503WithRetryAfter() {
        HttpResponse<String> response = post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"the backlog waiting for delivery is over"
                + " 1024 bytes; try again later\"}");
        assertThat(spooled()).isEmpty();
        MeterRegistry registry = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        assertThat(registry.get("http.requests.throttled").counter().count()).isEqualTo(1);
        assertThat(registry.get("spool.backlog.bytes").gauge().value()).isEqualTo(2040);
    }
}
