package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** POST /preview and GET /launchdarkly/settings-check on the application's HTTP server. */
class PreviewEndpointTest extends HttpSourceTestSupport {

    @Test
    void thePreviewAnswersTheLaunchDarklyEventsAndSendsNothing() throws IOException {
        var response = post("/preview", "{\"type\":\"alias\",\"userId\":\"u1\",\"previousId\":\"a1\",\"timestamp\":1648661098000}"
                .getBytes(), Map.of("Content-Type", "application/json"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode report = Json.MAPPER.readTree(response.body());
        assertThat(report.at("/destinations/0/events")).isEqualTo(Json.parse("[{'kind':'alias','key':'u1','previousKey':'a1',"
                + "'contextKind':'user','previousContextKind':'anonymousUser','creationDate':1648661098000}]"));
        assertThat(spooled()).isEmpty();
        assertThat(TestInbox.list(inbox.inbox())).isEmpty();
    }

    @Test
    void aBodyThatIsNotJsonIsABadRequest() throws IOException {
        var response = post("/preview", "{\"type\":".getBytes(), Map.of("Content-Type", "application/json"));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = Json.MAPPER.readTree(response.body());
        assertThat(body.get("success").booleanValue()).isFalse();
        assertThat(body.get("message").textValue()).startsWith("The body is not JSON:");
    }

    @Test
    void aFormBodyIsRefusedAsByTheTrackingApi() throws IOException {
        var response = post("/preview", "{\"type\":\"track\"}".getBytes(),
                Map.of("Content-Type", "application/x-www-form-urlencoded", "X-Requested-By", "test"));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(Json.MAPPER.readTree(response.body()).get("message").textValue())
                .isEqualTo("a form body is not accepted: send the JSON as application/json or text/plain");
    }

    @Test
    void theSettingsCheckReportsEachInstance() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/launchdarkly/settings-check")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(response.body())).isEqualTo(Json.MAPPER.readTree("""
                [{"destination":"default","clientSideId":"…-id","outcome":"not_checked",
                  "message":"events go to http://127.0.0.1:1/events/bulk/…-id, not LaunchDarkly's own host: the client-side ID cannot be checked beforehand"}]"""));
    }
}
