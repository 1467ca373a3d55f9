package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;

import io.github.segmentld.LogCapture;
import io.github.segmentld.ingest.WebhookAuthentication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Batches accepted on their signature where the operator explicitly allows it: with a warning at start, and a captured
 * batch with events appended to it is a replay of its signature, not accepted.
 */
class SignedArraysAllowedTest extends HttpSourceTestSupport {

    private static final LogCapture LOG = new LogCapture(WebhookAuthentication.class);

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("http.webhook-signed-arrays-allowed", "true");
    }

    @AfterAll
    static void stopCapture() {
        LOG.close();
    }

    @Test
    void aSignedBatchIsAcceptedOnceAndAnAppendedForgeryIsAReplay() {
        String first = "{\"type\":\"track\",\"userId\":\"w1\",\"event\":\"Hooked\",\"messageId\":\"f1\"}";
        String batch = "[" + first + ",{\"type\":\"track\",\"userId\":\"w2\",\"event\":\"Hooked\",\"messageId\":\"f2\"}]";
        String forged = batch.substring(0, batch.length() - 1)
                + ",{\"type\":\"track\",\"userId\":\"attacker\",\"event\":\"Forged\",\"messageId\":\"f3\"}]";

        HttpResponse<String> accepted = postWebhook(batch, Map.of("X-Signature", signature(first)));
        HttpResponse<String> replayed = postWebhook(forged, Map.of("X-Signature", signature(first)));

        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(spooled()).extracting(e -> e.path("messageId").asText()).containsExactly("f1", "f2");
        assertThat(LOG.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN http.webhook-signed-arrays-allowed"
                + " is true").contains("anyone holding one signed batch can add events to it"));
    }
}
