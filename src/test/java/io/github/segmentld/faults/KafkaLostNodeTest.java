package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.Loopback;
import io.github.segmentld.kafka.KafkaTopics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * An instance is lost (kill -9, its disk never seen again) with batches in its retry queue and in its dead letters:
 * with the Kafka source on, both are on the broker (an in-process KRaft broker on 127.0.0.1), so another instance sends
 * the parked batches once LaunchDarkly is back, and replays the dead letters, each event once.
 */
class KafkaLostNodeTest extends KafkaInstancesTestSupport {

    private static final String RETRY_TOPIC = "segment-launchdarkly-retry-queues";
    private static final String DEAD_LETTER_TOPIC = "segment-launchdarkly-dead-letters";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An instance with its HTTP server (for the replay) on {@code port}. */
    private Process start(String name, int port) {
        return start(name, 500, settings -> {
            settings.setProperty("http.enabled", "true");
            settings.setProperty("camel.server.enabled", "true");
            settings.setProperty("camel.server.port", Integer.toString(port));
            // the group gives a lost instance's partitions to the others once its session has timed out: 45 s by
            // default
            settings.setProperty("camel.component.kafka.session-timeout-ms", "6000");
            settings.setProperty("camel.component.kafka.heartbeat-interval-ms", "1000");
        });
    }

    /** The latest record of each key of a compacted topic (null: deleted), as a reader from its start sees them. */
    private Map<String, byte[]> latest(String topic) {
        Map<String, byte[]> latest = new HashMap<>();
        forEachRecord(topic, record -> latest.put(record.key(), record.value()));
        return latest;
    }

    private void forEachRecord(String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            KafkaTopics.readFromStart(consumer, topic, 10_000, each);
        }
    }

    /** The events of the batches in the shared retry queues, as their records say. */
    private long parkedEvents() {
        Map<String, Long> events = new HashMap<>();
        forEachRecord(RETRY_TOPIC, record -> {
            Header header = record.headers().lastHeader("events");
            events.put(record.key(), record.value() == null ? 0 : Long.parseLong(new String(header.value(),
                    StandardCharsets.UTF_8)));
        });
        return events.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long present(Map<String, byte[]> latest) {
        return latest.values().stream().filter(value -> value != null).count();
    }

    @Test
    void batchesParkedByALostInstanceAreSentByAnother() throws Exception {
        createTopic();
        launchDarkly.answer(503);
        Process first = start("first", Loopback.freePort());
        produce(2000, 2000);
        try (Admin admin = admin()) {
            // committed: every event of the topic parked (LaunchDarkly answers 503 to each)
            await().atMost(Duration.ofSeconds(90)).until(() -> committed(admin) == 2000);
        }
        assertThat(launchDarkly.acceptedUsers("test-client-id")).isZero();
        assertThat(parkedEvents()).as("events of the batches parked on the broker").isEqualTo(2000);
        ChildApplication.kill(first);

        launchDarkly.answer(202);
        start("second", Loopback.freePort());
        await().atMost(Duration.ofSeconds(90)).until(() -> launchDarkly.acceptedUsers("test-client-id") == 2000);
        assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> present(latest(RETRY_TOPIC)) == 0);
    }

    @Test
    void deadLettersOfALostInstanceAreReplayedByAnother() throws Exception {
        createTopic();
        launchDarkly.answer(400);
        Process first = start("first", Loopback.freePort());
        produce(300, 300);
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(90)).until(() -> committed(admin) == 300);
        }
        Map<String, byte[]> letters = latest(DEAD_LETTER_TOPIC);
        long deadLettered = 0;
        for (Map.Entry<String, byte[]> letter : letters.entrySet()) {
            JsonNode document = JSON.readTree(letter.getValue());
            assertThat(document.path("deadLetter").path("payloadId").asText()).isEqualTo(letter.getKey());
            assertThat(document.path("deadLetter").path("status").asInt()).isEqualTo(400);
            deadLettered += document.path("batch").size();
        }
        assertThat(deadLettered).as("events of the dead letters on the broker").isEqualTo(300);
        ChildApplication.kill(first);

        launchDarkly.answer(202);
        int port = Loopback.freePort();
        start("second", port);
        HttpClient http = HttpClient.newHttpClient();
        URI replay = URI.create("http://127.0.0.1:" + port + "/delivery/api/replay?kind=dead_letters&confirm=true");
        HttpResponse<String> replayed = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> http.send(HttpRequest.newBuilder(replay).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()),
                        answer -> answer.statusCode() == 200);
        assertThat(replayed.body()).contains("\"deadLetters\":" + letters.size(), "\"replayed\":true");

        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.acceptedUsers("test-client-id") == 300);
        assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
        assertThat(present(latest(DEAD_LETTER_TOPIC))).as("replayed dead letters deleted").isZero();
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(replay).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.body()).contains("\"deadLetters\":0");
    }
}
