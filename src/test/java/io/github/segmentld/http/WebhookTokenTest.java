package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Segment's Webhooks (Actions) destination sending a shared token in a header: it authenticates whole batches. */
class WebhookTokenTest extends HttpSourceTestSupport {

    private static final String TOKEN = "test-webhook-token-0123456789";
    private static final String BATCH = "[{\"type\":\"track\",\"userId\":\"w1\",\"event\":\"Hooked\"},"
            + "{\"type\":\"identify\",\"userId\":\"w2\",\"anonymousId\":\"a2\"}]";

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("http.webhook-token", TOKEN);
        properties.setProperty("http.webhook-token-header", "X-Segment-Token");
    }

    @Test
    void aBatchWithTheTokenIsAcceptedWhole() {
        HttpResponse<String> response = postWebhook(BATCH, Map.of("X-Segment-Token", TOKEN));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(spooled()).extracting(e -> e.path("userId").asText()).containsExactly("w1", "w2");
    }

    @Test
    void withATokenConfiguredTheSignatureAloneIsNotEnough() {
        String single = "{\"type\":\"track\",\"userId\":\"w0\",\"event\":\"Hooked\"}";

        HttpResponse<String> signedOnly = postWebhook(single, Map.of("X-Signature", signature(single)));
        HttpResponse<String> wrong = postWebhook(BATCH, Map.of("X-Segment-Token", TOKEN + "x"));

        assertThat(signedOnly.statusCode()).isEqualTo(401);
        assertThat(signedOnly.body()).isEqualTo("{\"success\":false,\"message\":\"missing X-Segment-Token\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).isEqualTo("{\"success\":false,\"message\":\"X-Segment-Token does not match\"}")
                .doesNotContain(TOKEN);
        assertThat(spooled()).isEmpty();
    }

    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() {
        HttpResponse<String> response = post("/webhooks/segment", new byte[] {0x1f, (byte) 0x8b, 1, 2},
                Map.of("Content-Encoding", "gzip", "X-Segment-Token", "guess"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(new String(response.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo("{\"success\":false,\"message\":\"X-Segment-Token does not match\"}");
    }
}
