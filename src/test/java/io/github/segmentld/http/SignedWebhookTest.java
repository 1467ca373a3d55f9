package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * Segment's Webhooks destination authenticated by its signature alone (no token configured): single events are
 * accepted on it, batches are not (the signature covers only their first event), and a replay is not accepted again.
 */
class SignedWebhookTest extends HttpSourceTestSupport {

    @Override
    protected void adjust(Properties properties) {
        // The spool remembers one messageId only: a replay must be recognised by its signature.
        properties.setProperty("http.recent-message-ids", "1");
    }

    @Test
    void aSignedSingleEventIsAcceptedAsSent() {
        String single = "{\"type\":\"track\",\"userId\":\"w0\",\"event\":\"Hooked\",\"receivedAt\":\"2024-01-01T00:00:00Z\"}";

        HttpResponse<String> response = postWebhook(single, Map.of("X-Signature", signature(single)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        assertThat(spooled()).singleElement().satisfies(e -> {
            assertThat(e.path("userId").asText()).isEqualTo("w0");
            assertThat(e.path("receivedAt").asText()).isEqualTo("2024-01-01T00:00:00Z");
        });
    }

    @Test
    void aBatchSignedOnItsFirstEventIsRefusedWithoutTheToken() {
        String first = "{\"type\":\"track\",\"userId\":\"w1\",\"event\":\"Hooked\",\"messageId\":\"b1\"}";
        String forged = "[" + first + ",{\"type\":\"track\",\"userId\":\"attacker\",\"event\":\"Forged\"}]";

        HttpResponse<String> response = postWebhook(forged, Map.of("X-Signature", signature(first)));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"success\":false,\"message\":\"a batched delivery (a JSON array) needs"
                + " the shared token in X-Webhook-Token: its X-Signature covers only the first event\"}");
        assertThat(spooled()).isEmpty();
    }

    @Test
    void aReplayedSignedEventIsAnsweredButNotAcceptedAgain() {
        String captured = "{\"type\":\"track\",\"userId\":\"w1\",\"event\":\"Paid\",\"messageId\":\"r1\"}";
        String other = "{\"type\":\"track\",\"userId\":\"w2\",\"event\":\"Paid\",\"messageId\":\"r2\"}";

        assertThat(postWebhook(captured, Map.of("X-Signature", signature(captured))).statusCode()).isEqualTo(200);
        assertThat(postWebhook(other, Map.of("X-Signature", signature(other))).statusCode()).isEqualTo(200);
        HttpResponse<String> replay = postWebhook(captured, Map.of("X-Signature", signature(captured)));

        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(spooled()).extracting(e -> e.path("messageId").asText()).containsExactly("r1", "r2");
    }

    @Test
    void aForgedOrMissingSignatureIs401() {
        String body = "{\"type\":\"track\",\"userId\":\"w1\",\"event\":\"Hooked\"}";

        HttpResponse<String> forged = postWebhook(body, Map.of("X-Signature", signature(body.replace("w1", "w9"))));
        HttpResponse<String> missing = postWebhook(body, Map.of());

        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).isEqualTo("{\"success\":false,\"message\":\"X-Signature does not match the body\"}");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.body()).isEqualTo("{\"success\":false,\"message\":\"missing X-Signature\"}");
        assertThat(spooled()).isEmpty();
    }
}
