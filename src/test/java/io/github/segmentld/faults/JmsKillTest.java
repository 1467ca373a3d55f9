package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.LocalArtemis;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The application, receiving a queue of an in-process Artemis broker (in the test's JVM, so that it outlives the
 * application), is killed with kill -9 while chunks are in flight: LaunchDarkly accepts their batches and holds the
 * answers, so that they are posted and not settled, their messages not acknowledged. Started again on the same work
 * folder with another chunk size, it receives those messages again and groups them as they were planned: every event
 * reaches LaunchDarkly, none under two payload IDs (the chunks sent again carry the payload IDs they had), and the
 * queue ends empty. The same over AMQP 1.0 with client acknowledgements, as a broker without transactions is received.
 */
class JmsKillTest extends ChildApplicationTestSupport {

    private static final String QUEUE = "segment-events";
    private static final int EVENTS = 3000;

    private final TestInbox inbox = TestInbox.create("jms-kill");
    private final LocalArtemis broker = new LocalArtemis(inbox.work().resolve("broker"));

    @AfterEach
    void stopApplicationThenBroker() throws Exception {
        if (application != null) {
            ChildApplication.kill(application);
        }
        broker.close();
    }

    /** Receives the queue over Artemis' Core protocol in transactions, or over AMQP with client acknowledgements. */
    private Process start(int chunkSize, boolean amqp, String log) {
        Properties settings = inbox.properties(launchDarkly.baseUrl("jms"));
        settings.setProperty("delivery-log.enabled", "false");
        settings.setProperty("jms.enabled", "true");
        settings.setProperty("jms.protocol", amqp ? "amqp" : "artemis");
        settings.setProperty("jms.acknowledge", amqp ? "client" : "transaction");
        settings.setProperty("jms.broker-url", amqp ? broker.amqpUrl() : broker.coreUrl());
        settings.setProperty("jms.queues", QUEUE);
        settings.setProperty("jms.chunk-wait-ms", "50");
        settings.setProperty("pipeline.chunk-size", Integer.toString(chunkSize));
        settings.setProperty("pipeline.concurrency", "4");
        return ChildApplication.start(inbox, settings, log);
    }

    @Test
    void killedWithChunksInFlightItLosesAndDoublesNothing() throws Exception {
        killMidStream(false);
    }

    /** As RabbitMQ is received: AMQP 1.0 without transactions, each chunk's messages acknowledged by the client. */
    @Test
    void killedWhileReceivingOverAmqpWithClientAcknowledgementsItLosesAndDoublesNothing() throws Exception {
        killMidStream(true);
    }

    private void killMidStream(boolean amqp) throws Exception {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            messages.add("{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u-" + i + "\",\"timestamp\":0}");
        }
        broker.sendTexts(QUEUE, messages);

        // five chunks answered, then every answer held: the kill finds chunks accepted and unanswered, however fast
        // the application got there
        launchDarkly.holdAfter("jms", 5);
        application = start(100, amqp, "first.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.held("jms") >= 3);
        ChildApplication.kill(application);
        launchDarkly.release();
        assertThat(launchDarkly.acceptedUsers("test-client-id")).isLessThan(EVENTS);

        application = start(170, amqp, "second.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.acceptedUsers("test-client-id") == EVENTS);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.messagesIn(QUEUE) == 0);
        assertThat(launchDarkly.doubled()).as("events accepted under two payload IDs").isEmpty();
        assertThat(launchDarkly.repeatedPayloads()).as("chunks received again after the kill, under their payload IDs")
                .isPositive();
    }
}
