package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.segmentld.LocalBroker;
import io.github.segmentld.Loopback;
import io.github.segmentld.ingest.AcceptedEvents;
import io.github.segmentld.kafka.KafkaAcceptedLog;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.kafka.KafkaClients;
import io.github.segmentld.kafka.KafkaTopics;
import io.github.segmentld.time.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import kafka.server.BrokerServer;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Tracking API with Kafka as its durable log: a request is answered 200 once the broker has its events, which the
 * Kafka source then delivers; with the broker stopped, 503 with Retry-After and nothing claimed; once it is back, 200
 * again. A client's retry of events stored already, to the running application or after a restart, is answered without
 * storing them twice.
 */
class KafkaHttpContractTest extends ContractTestSupport {

    private static final String WRITE_KEY = "kafka-http-write-key";
    private static final String TOPIC = "segment-http-events";
    private static EmbeddedKafkaKraftBroker broker;
    private static String servers;

    private final HttpClient client = HttpClient.newHttpClient();
    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    private int port;

    /** A broker on a port fixed at its start, so that it comes back where its clients look for it. */
    private static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = LocalBroker.start(Loopback.freePort(), 3, TOPIC);
            servers = LocalBroker.servers(broker);
        }
        return servers;
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.destroy();
            broker = null;
        }
    }

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        properties.setProperty("http.write-keys", "web=" + WRITE_KEY);
        properties.setProperty("kafka.enabled", "true");
        properties.setProperty("kafka.bootstrap-servers", bootstrapServers());
        properties.setProperty("kafka.topics", TOPIC);
        properties.setProperty("kafka.http-topic", TOPIC);
        properties.setProperty("kafka.produce-timeout-ms", "2000");
        properties.setProperty("spool.retry-after-seconds", "7");
    }

    private HttpResponse<String> post(String user) throws Exception {
        return postBatch("{\"batch\":[{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"Test Event\"}]}");
    }

    private HttpResponse<String> postBatch(String batch) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((WRITE_KEY + ":")
                        .getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(batch)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestIsAnswered200OnlyWhenTheBrokerHasItsEventsAnd503WhileItIsDown() throws Exception {
        HttpResponse<String> stored = post("before");
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(stored.body()).isEqualTo("{\"success\":true}");
        await().atMost(Duration.ofSeconds(30)).until(() -> LAUNCHDARKLY.acceptedUsers().contains("before"));

        BrokerServer server = broker.getCluster().brokers().get(0);
        server.shutdown();
        server.awaitShutdown();
        HttpResponse<String> refused = post("while-down");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(refused.body()).contains("\"success\":false", "try again later");

        server.startup();
        broker.getCluster().waitForReadyBrokers();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> post("after").statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> LAUNCHDARKLY.acceptedUsers().contains("after"));
        assertThat(LAUNCHDARKLY.acceptedUsers()).contains("before").doesNotContain("while-down");
    }

    @Test
    void aRetryOfEventsStoredAlreadyIsAnsweredWithoutStoringThemTwice() throws Exception {
        String batch = "{\"batch\":[{\"type\":\"track\",\"userId\":\"retried\",\"event\":\"Test Event\","
                + "\"messageId\":\"retry-1\"},{\"type\":\"track\",\"userId\":\"retried\",\"event\":\"Test Event\","
                + "\"messageId\":\"retry-2\"}]}";
        assertThat(postBatch(batch).statusCode()).isEqualTo(200);
        HttpResponse<String> retried = postBatch(batch);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo("{\"success\":true}");

        List<String> stored = storedEvents();
        assertThat(withMessageId(stored, "retry-1")).isEqualTo(1);
        assertThat(withMessageId(stored, "retry-2")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> LAUNCHDARKLY.acceptedUsers().stream()
                .filter("retried"::equals).count() == 2);
    }

    @Test
    void messageIdsStoredBeforeARestartAreRememberedFromTheTopic() throws Exception {
        KafkaClients clients = new KafkaClients(new KafkaConfiguration(), bootstrapServers());
        byte[] json = "{\"type\":\"track\",\"userId\":\"restarted\",\"event\":\"E\",\"messageId\":\"restart-1\"}"
                .getBytes(StandardCharsets.UTF_8);
        AcceptedEvents accepted = new AcceptedEvents("web", List.of(
                new AcceptedEvents.Event("restart-1", "track", "restarted", json)), List.of());
        KafkaAcceptedLog before = acceptedLog(clients);
        before.start();
        before.append(accepted);
        before.stop();

        KafkaAcceptedLog after = acceptedLog(clients);
        after.start();
        after.append(accepted);
        after.stop();
        assertThat(withMessageId(storedEvents(), "restart-1")).isEqualTo(1);
        // the application reads the topic too: its delivery is awaited, so that it stops with nothing in flight
        await().atMost(Duration.ofSeconds(30)).until(() -> LAUNCHDARKLY.acceptedUsers().contains("restarted"));
    }

    private static KafkaAcceptedLog acceptedLog(KafkaClients clients) {
        return new KafkaAcceptedLog(clients, TOPIC, 5000, 7, 1000, 1 << 20, refused -> { },
                new PipelineMetrics(new SimpleMeterRegistry()), Ticker.SYSTEM);
    }

    /** The events of the topic, as stored. */
    private static List<String> storedEvents() {
        List<String> stored = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            KafkaTopics.readFromStart(consumer, TOPIC, 10_000,
                    record -> stored.add(new String(record.value(), StandardCharsets.UTF_8)));
        }
        return stored;
    }

    private static long withMessageId(List<String> events, String messageId) {
        return events.stream().filter(event -> event.contains("\"messageId\":\"" + messageId + "\"")).count();
    }
}
