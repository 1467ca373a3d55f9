package io.github.segmentld.contract;

import static io.github.segmentld.TestInbox.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The JMS source over AMQP 1.0 (jms.protocol=amqp, Qpid JMS) against the in-process Artemis broker's AMQP acceptor:
 * each message shape delivered once with the exact LaunchDarkly JSON, a message that is not JSON rejected with its
 * message ID, every message acknowledged. The messages are sent in Artemis' Core protocol; the broker converts them,
 * text and bytes alike, their IDs too.
 */
class AmqpSourceContractTest extends JmsSourceContractTest {

    @Override
    protected void adjust(Properties properties) {
        super.adjust(properties);
        properties.setProperty("jms.protocol", "amqp");
        properties.setProperty("jms.broker-url", broker().amqpUrl());
    }

    @Test
    @Override
    void everyMessageShapeIsDeliveredOnceAndPoisonMessagesAreRejectedWithTheirIdsAndAcknowledged() {
        broker().sendTexts(queue, List.of(ONE_EVENT, ARRAY));
        broker().sendBytes(queue, gzip(BATCH));
        String notJson = broker().sendText(queue, "{\"type\":\"track\",");

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedEvents().size() >= 4);
        assertThat(acceptedEvents()).containsExactlyInAnyOrderElementsOf(DELIVERED);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker().messagesIn(queue) == 0);
        List<String> rejected = TestInbox.lines(TestInbox.list(inbox.rejected()).get(0));
        assertThat(rejected).singleElement().satisfies(line -> assertThat(Json.parse(line).path("reason").asText())
                .startsWith("message " + notJson + ": invalid JSON"));
    }
}
