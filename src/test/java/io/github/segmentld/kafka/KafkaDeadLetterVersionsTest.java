package io.github.segmentld.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.github.segmentld.LocalBroker;
import io.github.segmentld.release.UpgradeFixture;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A replay of the dead letters on Kafka replays those of release 0.1.0 (unversioned, from the committed fixture) and
 * leaves a dead letter a newer release wrote in the topic, as it is.
 */
class KafkaDeadLetterVersionsTest {

    private static final Path LETTER =
            UpgradeFixture.FOLDER.resolve("dead-letter/024f3904-5d82-3a7f-9ea7-7e117550f170.json");

    @Test
    void aDeadLetterOfANewerReleaseIsLeftInTheTopicAndTheOthersReplayed() throws Exception {
        EmbeddedKafkaKraftBroker broker = LocalBroker.start(0, 1);
        KafkaClients clients = new KafkaClients(new KafkaConfiguration(), LocalBroker.servers(broker));
        KafkaDeadLetters deadLetters = new KafkaDeadLetters(clients, "dead-letters", 1, "segment", "replay", 10_000);
        deadLetters.start();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            byte[] of010 = Files.readAllBytes(LETTER);
            byte[] newer = ("{\"formatVersion\":2," + new String(of010, StandardCharsets.UTF_8).substring(1))
                    .getBytes(StandardCharsets.UTF_8);
            for (Map.Entry<String, byte[]> letter : Map.of("old", of010, "new", newer).entrySet()) {
                Exchange exchange = new DefaultExchange(context);
                exchange.getIn().setHeader(KafkaDeadLetters.PAYLOAD_ID, letter.getKey());
                exchange.getIn().setBody(letter.getValue());
                deadLetters.store(exchange);
            }

            assertThat(deadLetters.replay(null, null, Long.MIN_VALUE, Long.MAX_VALUE, false)).isEqualTo(1);
            assertThat(deadLetters.replay(null, null, Long.MIN_VALUE, Long.MAX_VALUE, true)).isEqualTo(1);

            assertThat(latest(clients, "segment")).containsOnlyKeys("old");
            assertThat(latest(clients, "segment").get("old")).isEqualTo(of010);
            Map<String, byte[]> left = latest(clients, "dead-letters");
            assertThat(left).containsOnlyKeys("old", "new").containsEntry("old", null);
            assertThat(left.get("new")).isEqualTo(newer);
        } finally {
            deadLetters.stop();
            broker.destroy();
        }
    }

    /** The latest value of each key of a topic (null for a tombstone), as committed. */
    private static Map<String, byte[]> latest(KafkaClients clients, String topic) {
        Properties settings = clients.consumer();
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, byte[]> latest = new HashMap<>();
        try (Consumer<String, byte[]> reader = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            KafkaTopics.readFromStart(reader, topic, 10_000, record -> latest.put(record.key(), record.value()));
        }
        return latest;
    }
}
