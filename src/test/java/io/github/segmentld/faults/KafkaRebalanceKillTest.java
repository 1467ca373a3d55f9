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
 * 100,000 events arrive; one is killed with kill -9 in the middle, with batches accepted by LaunchDarkly and their
 * answers held, and another joins: every event reaches LaunchDarkly, none under two payload IDs, the chunks read again
 * are sent under their payload IDs, and the group's offsets end after the last event. (Without the chunk plan committed with
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
            Process first = start("first", 500);
            start("second", 500);
            start("third", 500);
            // the events arrive while the instances read: each poll holds what has come, so a partition read again
            // later holds more than it did, and only the committed plan cuts it where it was cut before
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(GROUP)).all().get()
                    .get(GROUP).members().size() == 3);
            // the first half, 1,000 events every 100 ms; the second half only once the node is killed
            Thread producing = new Thread(() -> produce(0, EVENTS / 2, 1000), "producer");
            producing.start();
            await().atMost(Duration.ofSeconds(120)).until(() -> launchDarkly.acceptedUsers("test-client-id")
                    >= EVENTS / 4);
            // The first node's next batches are accepted and their answers held: its chunks are accepted and their
            // offsets not committed when it is killed, so the partitions' next owners must send them again under the
            // same payload IDs.
            launchDarkly.holdAfter("first", 0);
            await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("first") > 0);
            ChildApplication.kill(first);
            launchDarkly.release();
            // polls of another size, as after a change of settings or when a fetch returns less: the chunks it
            // reads again must still be cut where the killed node cut them
            start("fourth", 170);
            producing.join(Duration.ofSeconds(120).toMillis());
            produce(EVENTS / 2, EVENTS, 1000);

            await().atMost(Duration.ofSeconds(180)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
            assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
            assertThat(launchDarkly.repeatedPayloads()).as("chunks read again after the kill, under their payload IDs")
                    .isPositive();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin) == EVENTS);
        }
    }
}
