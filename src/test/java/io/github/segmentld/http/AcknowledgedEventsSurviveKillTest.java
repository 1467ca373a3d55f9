package io.github.segmentld.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An event the HTTP source has answered 200 for is on disk: killed with SIGKILL right after the answers, the
 * application delivers every acknowledged event once at its next start.
 */
class AcknowledgedEventsSurviveKillTest {

    private static final int EVENTS = 50;

    private final WireMockServer launchDarkly = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private final TestInbox inbox = TestInbox.create("acknowledged-events");
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<Process> processes = new ArrayList<>();
    private final int port = Loopback.freePort();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        launchDarkly.stop();
    }

    private Process start(String spoolAgeMillis, String log) {
        Properties settings = inbox.properties("http://127.0.0.1:" + launchDarkly.port(), port,
                HttpSourceTestSupport.WRITE_KEY);
        settings.setProperty("spool.max-segment-age-ms", spoolAgeMillis);
        Process process = ChildApplication.start(inbox, settings, log);
        processes.add(process);
        return process;
    }

    private int send(String json) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/track"))
                .header("Authorization", HttpSourceTestSupport.basic(HttpSourceTestSupport.WRITE_KEY + ":"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void everyAcknowledgedEventIsDeliveredOnceAfterKill9() throws Exception {
        launchDarkly.start();
        launchDarkly.stubFor(post(urlPathMatching("/events/bulk/.*")).willReturn(aResponse().withStatus(202)));
        // A segment that never rolls by age: the acknowledged events are in the spool when the process dies. An
        // event without identity is refused but answered 200, which tells that the route is up.
        Process first = start("600000", "first-run.log");
        await().atMost(Duration.ofSeconds(60)).ignoreException(ConnectException.class)
                .until(() -> send("{}") == 200);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(send("{\"userId\":\"user-" + i + "\",\"event\":\"Acknowledged\"}")).isEqualTo(200);
        }
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        assertThat(launchDarkly.findAll(postRequestedFor(urlPathMatching("/events/bulk/.*")))).isEmpty();
        List<Path> spooled = TestInbox.list(inbox.work().resolve("spool"));
        assertThat(spooled).hasSize(1);
        assertThat(TestInbox.lines(spooled.get(0))).hasSize(EVENTS);

        start("200", "second-run.log");
        Set<String> users = new HashSet<>();
        List<String> all = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            all.clear();
            for (LoggedRequest request : launchDarkly.findAll(postRequestedFor(urlPathMatching("/events/bulk/.*")))) {
                Json.parse(request.getBodyAsString()).forEach(e -> all.add(e.path("contextKeys").path("user").asText()));
            }
            return all.size() >= EVENTS;
        });
        users.addAll(all);
        assertThat(all).hasSize(EVENTS);
        assertThat(users).hasSize(EVENTS);
    }
}
