package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.Json;
import io.github.segmentld.LogCapture;
import io.github.segmentld.MutableClock;
import io.github.segmentld.TestInbox;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of a running application: a LaunchDarkly stand-in that refuses the batches a test chooses, an
 * Alertmanager-style receiver and a Slack stand-in, both real HTTP servers on 127.0.0.1, and a clock the test moves
 * (the rules are judged every 100 ms of real time, on the test's time).
 */
class AlertsContractTest extends ContractTestSupport {

    private static final String SLACK_PATH = "/services/T000/B000/slack-secret-token";

    private static final WireMockServer RECEIVER = started();
    private static final WireMockServer SLACK = started();

    // Set while the superclass constructor configures the context, so no field initialiser may reset them.
    private MutableClock clock;
    /** Takes connections and never answers: a channel that hangs. */
    private ServerSocket deadChannel;
    private List<Socket> held;
    private int port;

    private static WireMockServer started() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        registry.bind("clock", Clock.class, () -> clock);
    }

    @Override
    protected void adjust(Properties properties) {
        clock = new MutableClock(Instant.parse("2026-11-25T10:00:30Z"));
        held = new CopyOnWriteArrayList<>();
        for (WireMockServer server : List.of(RECEIVER, SLACK)) {
            server.resetAll();
            server.stubFor(post(urlPathMatching("/.*")).willReturn(aResponse().withStatus(200)));
        }
        port = serveHttp(properties);
        try {
            deadChannel = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(() -> {
            while (!deadChannel.isClosed()) {
                try {
                    held.add(deadChannel.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "hanging-channel");
        acceptor.setDaemon(true);
        acceptor.start();
        String rules = """
                channels:
                  - name: receiver
                    type: webhook
                    url: http://127.0.0.1:%d/alerts
                  - name: team-slack
                    type: slack
                    url: http://127.0.0.1:%d%s
                  - name: hanging
                    type: webhook
                    url: http://127.0.0.1:%d/never
                rules:
                  - name: default-delivery-rate
                    kind: delivery-rate
                    destination: default
                    threshold-percent: 95
                    window: 15m
                    min-outcomes: 10
                    for: 2m
                    repeat-interval: 1h
                    channels: [receiver, team-slack]
                  - name: default-rate-hanging
                    kind: delivery-rate
                    destination: default
                    threshold-percent: 50
                    min-outcomes: 10
                    channels: [hanging]
                """.formatted(RECEIVER.port(), SLACK.port(), SLACK_PATH, deadChannel.getLocalPort());
        try {
            properties.setProperty("alerts.file", Files.writeString(inbox.work().resolve("alerts.yaml"), rules)
                    .toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        properties.setProperty("alerts.evaluation-interval-ms", "100");
        properties.setProperty("alerts.notice.timeout-ms", "1500");
        properties.setProperty("alerts.notice.redeliveries", "1");
        properties.setProperty("alerts.notice.redelivery-delay-ms", "50");
        // a refused batch is dead-lettered at once: one outcome per file, without redeliveries
        LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).withRequestBody(containing("fail-"))
                .atPriority(1).willReturn(aResponse().withStatus(400).withBody("bad event")));
    }

    @AfterEach
    void closeHangingChannel() throws IOException {
        deadChannel.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    /** One file per event: each makes its own batch, so each is one delivery outcome. */
    private void send(String prefix, int files) {
        for (int i = 0; i < files; i++) {
            inbox.drop(prefix + "-" + i + ".ndjson", "{\"type\":\"track\",\"event\":\"Test Event\",\"userId\":\""
                    + prefix + "-" + i + "\",\"timestamp\":\"2026-11-25T10:00:00Z\"}\n");
        }
    }

    private int delivered() {
        return (int) LAUNCHDARKLY.requests().stream().filter(request -> !request.getBodyAsString().contains("fail-"))
                .count();
    }

    private List<JsonNode> bodies(WireMockServer server, String path) {
        return server.findAll(postRequestedFor(urlPathEqualTo(path))).stream().map(LoggedRequest::getBodyAsString)
                .map(Json::parse).collect(Collectors.toList());
    }

    private JsonNode rule(String name) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/alerts")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        for (JsonNode rule : Json.parse(answer.body()).get("rules")) {
            if (rule.get("name").asText().equals(name)) {
                return rule;
            }
        }
        throw new AssertionError("no rule " + name + " in " + answer.body());
    }

    @Test
    void aLowRateFiresAfterItsForOnEveryChannelAndResolvesWhenItRecovers() throws Exception {
        assertThat(context.getRegistry().lookupByName("clock")).isSameAs(clock);
        send("good", 8);
        send("fail", 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> TestInbox.list(inbox.deadLetters()).size() == 2
                && delivered() == 8);
        await().atMost(Duration.ofSeconds(5)).until(() -> rule("default-delivery-rate").get("state").asText(),
                "pending"::equals);
        assertThat(rule("default-delivery-rate").get("ratePercent").asDouble()).isEqualTo(80.0);
        assertThat(bodies(RECEIVER, "/alerts")).as("not before its for").isEmpty();

        clock.advance(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> bodies(SLACK, SLACK_PATH).size() == 1
                && bodies(RECEIVER, "/alerts").size() == 1);
        JsonNode firing = bodies(RECEIVER, "/alerts").get(0);
        assertThat(firing.get("version").asText()).isEqualTo("4");
        assertThat(firing.get("status").asText()).isEqualTo("firing");
        JsonNode alert = firing.get("alerts").get(0);
        assertThat(alert.get("labels")).isEqualTo(Json.parse("{\"alertname\":\"default-delivery-rate\","
                + "\"destination\":\"default\",\"severity\":\"warning\"}"));
        assertThat(alert.get("startsAt").asText()).isEqualTo("2026-11-25T10:02:30Z");
        assertThat(alert.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(alert.get("fingerprint").asText()).matches("[0-9a-f]{16}");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("destination default delivered 80% of"
                + " 10 events over the last 15m (threshold 95%); top errors: LaunchDarkly refused the batch permanently: LaunchDarkly answered 400 Bad Request"
                + " (2)");
        assertThat(bodies(SLACK, SLACK_PATH).get(0).get("text").asText()).isEqualTo("[FIRING] default-delivery-rate"
                + " (warning): destination default delivered 80% of 10 events over the last 15m (threshold 95%); top"
                + " errors: LaunchDarkly refused the batch permanently: LaunchDarkly answered 400 Bad Request (2). Since"
                + " 2026-11-25T10:02:30Z.");
        assertThat(rule("default-delivery-rate").get("lastFiredAt").asText()).isEqualTo("2026-11-25T10:02:30Z");

        // 48 of 50: 96%, the rate it resolves at
        inbox.drop("recovery.ndjson", IntStream.range(0, 40).mapToObj(i -> "{\"type\":\"track\",\"event\":\"Test"
                + " Event\",\"userId\":\"good-r" + i + "\"}").collect(Collectors.joining("\n")));
        clock.advance(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> bodies(RECEIVER, "/alerts").size() == 2
                && bodies(SLACK, SLACK_PATH).size() == 2);
        JsonNode resolved = bodies(RECEIVER, "/alerts").get(1);
        assertThat(resolved.get("status").asText()).isEqualTo("resolved");
        assertThat(resolved.get("alerts").get(0).get("endsAt").asText()).isEqualTo("2026-11-25T10:03:30Z");
        assertThat(resolved.get("alerts").get(0).get("fingerprint")).isEqualTo(alert.get("fingerprint"));
        assertThat(bodies(SLACK, SLACK_PATH).get(1).get("text").asText()).startsWith("[RESOLVED]"
                + " default-delivery-rate: destination default delivered 96% of 50 events");
        assertThat(rule("default-delivery-rate").get("state").asText()).isEqualTo("resolved");
        assertThat(metric("alert.notifications.sent", "channel", "receiver")).isEqualTo(2);
    }

    @Test
    void aFewFailuresAreNotJudgedBelowTheMinimumVolume() throws Exception {
        send("good", 1);
        send("fail", 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> TestInbox.list(inbox.deadLetters()).size() == 3
                && delivered() == 1);
        clock.advance(Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> rule("default-delivery-rate").path("outcomes").asInt() == 4);
        JsonNode rule = rule("default-delivery-rate");
        assertThat(rule.get("state").asText()).isEqualTo("ok");
        assertThat(rule.get("summary").asText()).isEqualTo("destination default had 4 delivery outcomes over the last"
                + " 15m, fewer than the 10 its rate is judged on");
        assertThat(bodies(RECEIVER, "/alerts")).isEmpty();
    }

    @Test
    void aHangingChannelHoldsUpNeitherDeliveryNorTheOtherChannelsAndShowsAsFailing() throws Exception {
        try (LogCapture log = new LogCapture("io.github.segmentld")) {
            send("fail", 10);
            await().atMost(Duration.ofSeconds(30)).until(() -> TestInbox.list(inbox.deadLetters()).size() == 10);
            // the hanging channel's rule fires at once; its notice waits on a connection that never answers
            await().atMost(Duration.ofSeconds(5)).until(() -> !held.isEmpty());
            send("good", 5);
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered() == 5);
            clock.advance(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> bodies(RECEIVER, "/alerts").size() == 1);

            await().atMost(Duration.ofSeconds(15)).until(() -> metric("alert.notifications.failed", "channel",
                    "hanging") == 1);
            HttpResponse<String> alerts = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/alerts")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode hanging = null;
            for (JsonNode channel : Json.parse(alerts.body()).get("channels")) {
                if (channel.get("name").asText().equals("hanging")) {
                    hanging = channel;
                }
            }
            assertThat(hanging.get("state").asText()).isEqualTo("failing");
            assertThat(hanging.get("lastError").asText()).isEqualTo("SocketTimeoutException");
            assertThat(alerts.body()).doesNotContain("/never").doesNotContain(SLACK_PATH);
            assertThat(log.lines()).anyMatch(line -> line.contains("ALERT NOTICE NOT DELIVERED: channel 'hanging'"))
                    .noneMatch(line -> line.contains(SLACK_PATH) || line.contains("/never"));
        }
    }
}
