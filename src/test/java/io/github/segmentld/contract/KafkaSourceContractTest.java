package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.segmentld.LocalBroker;
import io.github.segmentld.TestInbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Kafka source against an in-process KRaft broker (on 127.0.0.1, ports of its own): events of every record shape
 * delivered once each, a poison record rejected with its place and skipped, and the group's offsets committed after
 * the events are settled.
 */
class KafkaSourceContractTest extends ContractTestSupport {

    private static final int PARTITIONS = 6;
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static EmbeddedKafkaKraftBroker broker;

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    private String topic;

    private static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = LocalBroker.start(0, PARTITIONS);
        }
        return LocalBroker.servers(broker);
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
        String servers = bootstrapServers();
        topic = "segment-events-" + TOPICS.incrementAndGet();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        properties.setProperty("kafka.enabled", "true");
        properties.setProperty("kafka.bootstrap-servers", servers);
        properties.setProperty("kafka.topics", topic);
        properties.setProperty("kafka.group-id", topic + "-group");
        properties.setProperty("kafka.max-poll-records", "50");
        properties.setProperty("pipeline.chunk-size", "20");
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    private static byte[] track(String user) {
        return ("{\"type\":\"track\",\"event\":\"Test Event\",\"userId\":\"" + user + "\",\"timestamp\":"
                + "\"2026-11-25T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRecordShapeIsDeliveredOnceAPoisonRecordIsRejectedAndTheOffsetsCommittedAfter() throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>(topic, "user-" + i, track("user-" + i)));
            }
            producer.send(new ProducerRecord<>(topic, "array", ("[{\"type\":\"track\",\"event\":\"Test Event\","
                    + "\"userId\":\"array-1\"},{\"type\":\"track\",\"event\":\"Test Event\",\"userId\":\"array-2\"}]")
                    .getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(topic, "batch", gzip("{\"batch\":[{\"type\":\"track\",\"event\":"
                    + "\"Test Event\",\"userId\":\"gzip-batch\"}],\"context\":{\"ip\":\"10.0.0.1\"}}")));
            producer.send(new ProducerRecord<>(topic, "poison", "{\"type\":\"track\",".getBytes(StandardCharsets.UTF_8)))
                    .get();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> LAUNCHDARKLY.acceptedUsers().size() >= 303);
        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(303).doesNotHaveDuplicates()
                .contains("user-0", "user-299", "array-1", "array-2", "gzip-batch");

        await().atMost(Duration.ofSeconds(10)).until(() -> !TestInbox.list(inbox.rejected()).isEmpty());
        String rejected = String.join("\n", TestInbox.lines(TestInbox.list(inbox.rejected()).get(0)));
        assertThat(rejected).contains("kafka " + topic + "-", "invalid JSON");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> committed(admin) == 303);
            admin.listConsumerGroupOffsets(topic + "-group").partitionsToOffsetAndMetadata().get().values()
                    .forEach(offset -> assertThat(offset.metadata()).as("no chunk left planned").isEmpty());
        }
    }

    /** The records of the topic the group has committed past. */
    private long committed(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(topic + "-group")
                .partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
}
