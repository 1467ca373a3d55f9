package io.github.segmentld.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.LocalBroker;
import io.github.segmentld.TestInbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Instances of the application in JVMs of their own, in one consumer group on a 6-partition topic of an in-process
 * KRaft broker (127.0.0.1, a port of its own), delivering to a counting LaunchDarkly stand-in; all stop after the test.
 */
abstract class KafkaInstancesTestSupport extends ChildApplicationTestSupport {

    protected static final String TOPIC = "segment-events";
    protected static final String GROUP = "segment-launchdarkly";

    private final EmbeddedKafkaKraftBroker broker = LocalBroker.start(0, 6);
    private final List<Process> instances = new ArrayList<>();

    protected String servers() {
        return LocalBroker.servers(broker);
    }

    @AfterEach
    void stopInstancesAndBroker() throws InterruptedException {
        for (Process instance : instances) {
            ChildApplication.kill(instance);
        }
        broker.destroy();
    }

    protected Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers()));
    }

    protected void createTopic() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 6, (short) 1))).all().get();
        }
    }

    /**
     * Starts an instance of the group with a work folder (state database, dead letters) of its own, its settings
     * changed by {@code adjust}; it posts to LaunchDarkly through the route {@code name}, so its answers can be held.
     */
    protected Process start(String name, int maxPollRecords, Consumer<Properties> adjust) {
        TestInbox inbox = TestInbox.create("kafka-" + name);
        Properties settings = inbox.properties(launchDarkly.baseUrl(name));
        settings.setProperty("kafka.enabled", "true");
        settings.setProperty("kafka.bootstrap-servers", servers());
        settings.setProperty("kafka.topics", TOPIC);
        settings.setProperty("kafka.group-id", GROUP);
        settings.setProperty("kafka.max-poll-records", Integer.toString(maxPollRecords));
        settings.setProperty("pipeline.chunk-size", "100");
        adjust.accept(settings);
        Process instance = ChildApplication.start(inbox, settings, name + ".log");
        instances.add(instance);
        return instance;
    }

    /** The records of the topic the group has committed past. */
    protected long committed(Admin admin) throws Exception {
        Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    /** Track events of users u-0, u-1, …, each keyed by its user; {@code pauseEvery} events, a flush and 100 ms. */
    protected void produce(int events, int pauseEvery) {
        produce(0, events, pauseEvery);
    }

    /** Track events of users u-{@code from} to u-({@code to} - 1), as {@link #produce(int, int)}. */
    protected void produce(int from, int to, int pauseEvery) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "u-" + i, ("{\"type\":\"track\",\"event\":\"E\","
                        + "\"userId\":\"u-" + i + "\",\"timestamp\":0}").getBytes(StandardCharsets.UTF_8)));
                if (i % pauseEvery == pauseEvery - 1) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
