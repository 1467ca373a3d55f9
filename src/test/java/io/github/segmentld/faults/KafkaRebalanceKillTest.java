package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

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
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Three instances in one consumer group share a 6-partition topic (an in-process KRaft broker on 127.0.0.1) while
 * 100,000 events arrive; one is killed with kill -9 in the middle and another joins: every event reaches LaunchDarkly,
 * none under two payload IDs, and the group's offsets end after the last event. (Without the chunk plan committed with
 * the offsets, the chunks read again are cut elsewhere and events are doubled: this test fails.)
 */
class KafkaRebalanceKillTest extends ChildApplicationTestSupport {

    private static final int EVENTS = 100_000;
    private static final String TOPIC = "segment-events";
    private static final String GROUP = "segment-launchdarkly";

    private final EmbeddedKafkaKraftBroker broker = LocalBroker.start(0, 6);
    private final List<Process> instances = new ArrayList<>();

    private String servers() {
        return LocalBroker.servers(broker);
    }

    @AfterEach
    void stopInstancesAndBroker() throws InterruptedException {
        for (Process instance : instances) {
            ChildApplication.kill(instance);
        }
        broker.destroy();
    }

    private Process start(String name) {
        return start(name, 500);
    }

    private Process start(String name, int maxPollRecords) {
        TestInbox inbox = TestInbox.create("kafka-" + name);
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("kafka.enabled", "true");
        settings.setProperty("kafka.bootstrap-servers", servers());
        settings.setProperty("kafka.topics", TOPIC);
        settings.setProperty("kafka.group-id", GROUP);
        settings.setProperty("kafka.max-poll-records", Integer.toString(maxPollRecords));
        settings.setProperty("pipeline.chunk-size", "100");
        settings.setProperty("delivery-log.enabled", "false");
        Process instance = ChildApplication.start(inbox, settings, name + ".log");
        instances.add(instance);
        return instance;
    }

    private long committed(Admin admin) throws Exception {
        Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    /** The events, 1,000 every 100 ms. */
    private void produce(int events) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < events; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "u-" + i, ("{\"type\":\"track\",\"event\":\"E\","
                        + "\"userId\":\"u-" + i + "\",\"timestamp\":0}").getBytes(StandardCharsets.UTF_8)));
                if (i % 1000 == 999) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aNodeKilledMidStreamLosesAndDoublesNothing() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 6, (short) 1))).all().get();
            // slow answers keep the stream in flight long enough to kill a node in the middle of it
            launchDarkly.delay(10);
            Process first = start("first");
            start("second");
            start("third");
            // the events arrive while the instances read: each poll holds what has come, so a partition read again
            // later holds more than it did, and only the committed plan cuts it where it was cut before
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(GROUP)).all().get()
                    .get(GROUP).members().size() == 3);
            Thread producing = new Thread(() -> produce(EVENTS), "producer");
            producing.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> launchDarkly.acceptedUsers("test-client-id")
                    >= EVENTS / 4);
            // Answers of 300 ms keep the killed node's batches in flight: some of its chunks are accepted and their
            // offsets not committed, and the partitions' next owners must send them again under the same payload IDs.
            launchDarkly.delay(300);
            Thread.sleep(450);
            ChildApplication.kill(first);
            assertThat(launchDarkly.acceptedUsers("test-client-id")).as("killed in the middle").isLessThan(EVENTS);
            // polls of another size, as after a change of settings or when a fetch returns less: the chunks it
            // reads again must still be cut where the killed node cut them
            start("fourth", 170);
            launchDarkly.delay(0);

            producing.join(Duration.ofSeconds(120).toMillis());
            await().atMost(Duration.ofSeconds(180)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
            assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
            assertThat(launchDarkly.repeatedPayloads()).as("chunks read again after the kill, under their payload IDs")
                    .isPositive();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin) == EVENTS);
        }
    }
}
