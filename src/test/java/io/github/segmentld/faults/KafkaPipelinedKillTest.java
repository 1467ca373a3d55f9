package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.segmentld.ChildApplication;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * An instance is killed with kill -9 while its pipelined polls overlap: two instances share a 6-partition topic; the
 * first reads polls of at most 100 records, cut into chunks of 100 (so one poll makes at most one chunk per partition
 * it has, three), with up to 8 chunks in flight; LaunchDarkly accepts its batches and holds the answers until 7 are
 * held, so chunks of at least three polls are in flight, none settled, when it is killed. The other instance, with
 * polls of another size, takes its partitions over: every event reaches LaunchDarkly, none under two payload IDs (the
 * chunks read again carry the payload IDs they had), and the group's offsets end after the last event.
 */
class KafkaPipelinedKillTest extends KafkaInstancesTestSupport {

    private static final int EVENTS = 10_000;

    private static void quickToLeave(Properties settings) {
        settings.setProperty("delivery-log.enabled", "false");
        // the group gives a killed member's partitions to the others once its session has timed out
        settings.setProperty("camel.component.kafka.session-timeout-ms", "6000");
        settings.setProperty("camel.component.kafka.heartbeat-interval-ms", "1000");
    }

    @Test
    void anInstanceKilledWithPollsOverlappingLosesAndDoublesNothing() throws Exception {
        createTopic();
        try (Admin admin = admin()) {
            Process first = start("first", 100, settings -> {
                quickToLeave(settings);
                settings.setProperty("pipeline.concurrency", "8");
            });
            start("second", 170, KafkaPipelinedKillTest::quickToLeave);
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeConsumerGroups(List.of(GROUP)).all().get()
                    .get(GROUP).members().size() == 2);
            produce(EVENTS, 5000);
            await().atMost(Duration.ofSeconds(30)).until(() -> launchDarkly.acceptedUsers("test-client-id") >= 1000);
            launchDarkly.holdAfter("first", 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> launchDarkly.held("first") >= 7);
            ChildApplication.kill(first);
            launchDarkly.release();

            await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
            assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
            assertThat(launchDarkly.repeatedPayloads()).as("chunks read again after the kill, under their payload IDs")
                    .isPositive();
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin) == EVENTS);
        }
    }
}
