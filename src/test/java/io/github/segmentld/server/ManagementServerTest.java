package io.github.segmentld.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import io.github.segmentld.Application;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The management server per profile: Camel's developer console on a developer's machine and not in prod, and the
 * authentication the prod profile describes, which leaves the health probes open.
 */
class ManagementServerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private final int port = Loopback.freePort();
    private Main main;

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
    }

    private Properties settings(String name) {
        Properties p = TestInbox.create(name).properties("http://127.0.0.1:1");
        p.setProperty("camel.management.enabled", "true");
        // the prod profile listens on every interface: the test stays on loopback
        p.setProperty("camel.management.host", "127.0.0.1");
        p.setProperty("camel.management.port", Integer.toString(port));
        p.setProperty("camel.metrics.enabled", "true");
        return p;
    }

    private void start(Properties overrides, String profile) throws Exception {
        main = new Main(Application.class);
        main.setOverrideProperties(overrides);
        main.configure().setProfile(profile);
        main.start();
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theDefaultProfileServesTheDeveloperConsole() throws Exception {
        start(settings("dev-console"), null);

        HttpResponse<String> consoles = get("/q/dev", null);
        assertThat(consoles.statusCode()).isEqualTo(200);
        assertThat(consoles.body()).contains("route");
        HttpResponse<String> routes = get("/q/dev/route", null);
        assertThat(routes.statusCode()).isEqualTo(200);
        assertThat(routes.body()).contains("deliver");
    }

    @Test
    void prodHasNoDeveloperConsoleAndItsAuthenticationLeavesTheProbesOpen() throws Exception {
        TestInbox work = TestInbox.create("management-auth");
        Path users = Files.writeString(work.work().resolve("management-users.properties"), "user.scraper=s3cret\n");
        Properties p = settings("management-auth");
        // as application-prod.properties describes it
        p.setProperty("camel.management.authentication-enabled", "true");
        p.setProperty("camel.management.authentication-path", "/observe/metrics");
        p.setProperty("camel.management.basic-properties-file", users.toString());
        start(p, "prod");

        assertThat(get("/q/dev", null).statusCode()).isEqualTo(404);
        assertThat(get("/q/dev", basic("scraper", "s3cret")).statusCode()).isEqualTo(404);
        assertThat(get("/observe/health/live", null).statusCode()).isEqualTo(200);
        // ready once the inbox has been polled
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/observe/health/ready", null).statusCode() == 200);
        assertThat(get("/observe/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get("/observe/metrics", basic("scraper", "wrong")).statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = get("/observe/metrics", basic("scraper", "s3cret"));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("segment_events_received_total");
    }
}
