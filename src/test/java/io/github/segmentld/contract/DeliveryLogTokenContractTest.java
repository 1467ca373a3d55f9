package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Properties;

import io.github.segmentld.LogCapture;
import org.junit.jupiter.api.Test;

/** The operator endpoints with operator.token set: only for requests that carry the token. */
class DeliveryLogTokenContractTest extends ContractTestSupport {

    private static final String TOKEN = "operator-token-for-the-test";

    private static final String[][] ENDPOINTS = {{"GET", "/delivery"}, {"GET", "/delivery/api/events"},
        {"GET", "/delivery/api/overview"}, {"POST", "/delivery/api/replay?kind=dead_letters&confirm=true"},
        {"POST", "/preview"}, {"GET", "/launchdarkly/settings-check"}, {"GET", "/alerts"},
        {"POST", "/launchdarkly/test-event?destination=default"}, {"GET", "/launchdarkly/test-event"},
        {"GET", "/launchdarkly/mappings"}, {"POST", "/launchdarkly/mappings/reload"}};

    private final HttpClient client = HttpClient.newHttpClient();
    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("operator.token", TOKEN);
    }

    private HttpResponse<String> send(String method, String path, String authorization, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutTheTokenThePageAndTheApiAnswer401AndABrowserAsksForIt() throws Exception {
        try (LogCapture log = new LogCapture("io.github.segmentld")) {
            for (String[] endpoint : ENDPOINTS) {
                HttpResponse<String> refused = send(endpoint[0], endpoint[1], "Bearer wrong");
                assertThat(refused.statusCode()).as(endpoint[1]).isEqualTo(401);
                assertThat(refused.headers().firstValue("WWW-Authenticate"))
                        .hasValue("Basic realm=\"operator\", charset=\"UTF-8\"");
                assertThat(refused.body()).contains("operator token is missing or wrong").doesNotContain(TOKEN);
            }
            assertThat(send("GET", "/delivery/api/events", null).statusCode()).isEqualTo(401);
            assertThat(String.join("\n", log.lines())).doesNotContain(TOKEN);
        }
    }

    @Test
    void withTheTokenTheyAnswer() throws Exception {
        assertThat(send("GET", "/delivery/api/events", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> page = send("GET", "/delivery", "Basic " + Base64.getEncoder()
                .encodeToString(("operator:" + TOKEN).getBytes(StandardCharsets.UTF_8)));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<h1>Delivery overview</h1>");
        assertThat(send("GET", "/launchdarkly/settings-check", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> alerts = send("GET", "/alerts", "Bearer " + TOKEN);
        assertThat(alerts.statusCode()).isEqualTo(200);
        assertThat(alerts.body()).contains("\"rules\":[]");
        assertThat(send("GET", "/launchdarkly/mappings", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/launchdarkly/mappings/reload", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestFromAnotherSiteIsRefusedEvenWithTheToken() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("operator:" + TOKEN)
                .getBytes(StandardCharsets.UTF_8));
        for (String[] endpoint : ENDPOINTS) {
            for (String[] foreign : new String[][] {{"Origin", "http://evil.example"}, {"Sec-Fetch-Site", "cross-site"}}) {
                HttpResponse<String> refused = send(endpoint[0], endpoint[1], basic, foreign);
                assertThat(refused.statusCode()).as(endpoint[1] + " " + foreign[1]).isEqualTo(403);
                assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();
                assertThat(refused.body()).contains("another site's page");
            }
        }
        // a form the browser posts with the Basic credentials it remembers
        HttpResponse<String> form = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/delivery/api/replay?kind=dead_letters&confirm=true")).header("Authorization", basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("a=b")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(send("POST", "/delivery/api/replay?kind=dead_letters", "Bearer " + TOKEN).statusCode())
                .isEqualTo(200);
    }
}
