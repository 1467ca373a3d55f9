package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every key of application.properties can be set by an environment variable, Camel's own included: the servers listen
 * on the ports CAMEL_SERVER_PORT and CAMEL_MANAGEMENT_PORT name, as the stand-in's URL does.
 */
class EnvironmentVariablesTest {

    private final TestInbox inbox = TestInbox.create("environment");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process application;

    @AfterEach
    void stop() throws InterruptedException {
        if (application != null) {
            ChildApplication.kill(application);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("nothing answers " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theServersListenOnThePortsTheEnvironmentNames() {
        int serverPort = Loopback.freePort();
        int managementPort = Loopback.freePort();
        Properties settings = inbox.properties("http://127.0.0.1:1", Loopback.freePort(), "test-write-key");
        settings.remove("camel.server.port");
        settings.setProperty("camel.management.enabled", "true");
        settings.setProperty("camel.metrics.enabled", "true");
        application = ChildApplication.start(inbox, settings, "application.log", Map.of(
                "CAMEL_SERVER_PORT", Integer.toString(serverPort),
                "CAMEL_MANAGEMENT_PORT", Integer.toString(managementPort)));

        HttpRequest track = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serverPort + "/v1/track"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString("test-write-key:".getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"E\"}")).build();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .untilAsserted(() -> assertThat(send(track).statusCode()).isEqualTo(200));
        HttpRequest health = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/observe/health")).build();
        // the health checks settle a moment after the first request is served
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(send(health).statusCode()).isEqualTo(200));
    }
}
