package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import io.github.segmentld.ChildApplication;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * Three instances in one consumer group share a 6-partition topic (an in-process KRaft broker on 127.0.0.1) while
 * 100,000 events arrive; one is killed with kill -9 in the middle and another joins: every event reaches LaunchDarkly,
 * none under two payload IDs, and the group's offsets end after the last event. (Without the chunk plan committed with
 * the offsets, the chunks read again are cut elsewhere and events are doubled: this test fails.)
 */
class KafkaRebalanceKillTest extends KafkaInstancesTestSupport {

    private static final int EVENTS = 100_000;

    private Process start(String name, int maxPollRecords) {
        return start(name, maxPollRecords, settings -> settings.setProperty("delivery-log.enabled", "false"));
    }

    @Test
    void aNodeKilledMidStreamLosesAndDoublesNothing() throws Exception {
        createTopic();
        try (Admin admin = admin()) {
            // slow answers keep the stream in flight long enough to kill a node in the middle of it
            launchDarkly.delay(10);
            Process first = start("first", 500);
            start("second", 500);
            start("third", 500);
            // the events arrive while the instances read: each poll holds what has come, so a partition read again
            // later holds more than it did, and only the committed plan cuts it where it was cut before
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(GROUP)).all().get()
                    .get(GROUP).members().size() == 3);
            // 1,000 events every 100 ms
            Thread producing = new Thread(() -> produce(EVENTS, 1000), "producer");
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
