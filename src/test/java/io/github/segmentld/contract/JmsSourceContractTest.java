package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static io.github.segmentld.TestInbox.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.LocalArtemis;
import io.github.segmentld.TestInbox;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The JMS source against an in-process Artemis broker (127.0.0.1, a port of its own), over Artemis' Core protocol:
 * a message of one event, an array of events and a gzipped batch object (whose integrations merge into its events)
 * delivered once each with the exact LaunchDarkly JSON; a message that is not JSON and one that is not text or bytes
 * rejected with their message IDs; every message acknowledged, the queue left empty.
 */
class JmsSourceContractTest extends ContractTestSupport {

    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static LocalArtemis broker;

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    protected String queue;

    static synchronized LocalArtemis broker() {
        if (broker == null) {
            broker = new LocalArtemis(TestInbox.create("artemis").work());
        }
        return broker;
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    protected void adjust(Properties properties) {
        queue = "segment-events-" + QUEUES.incrementAndGet();
        properties.setProperty("jms.enabled", "true");
        properties.setProperty("jms.protocol", "artemis");
        properties.setProperty("jms.broker-url", broker().coreUrl());
        properties.setProperty("jms.queues", queue);
        properties.setProperty("jms.chunk-wait-ms", "50");
    }

    static final String ONE_EVENT = "{\"type\":\"track\",\"userId\":\"user1234\",\"anonymousId\":\"anon-1\",\"event\":"
            + "\"Test Event\",\"properties\":{\"revenue\":123.456},\"timestamp\":\"2022-03-30T17:24:58Z\"}";
    static final String ARRAY = "[{\"type\":\"track\",\"userId\":\"array-1\",\"event\":\"Signed Up\",\"timestamp\":"
            + "\"2022-03-30T17:25:00Z\"},{\"type\":\"alias\",\"userId\":\"array-2\",\"previousId\":\"anon-2\","
            + "\"timestamp\":\"2022-03-30T17:24:31Z\"}]";
    /** The batch's integrations turn LaunchDarkly off; the second event's own turn it on again, and win. */
    static final String BATCH = "{\"batch\":[{\"type\":\"track\",\"userId\":\"batch-off\",\"event\":\"E\"},"
            + "{\"type\":\"track\",\"userId\":\"batch-on\",\"event\":\"Order Completed\","
            + "\"properties\":{\"value\":\"7\"},"
            + "\"integrations\":{\"LaunchDarkly (Actions)\":true},\"timestamp\":1648661098000}],"
            + "\"integrations\":{\"All\":false},\"context\":{\"ip\":\"10.0.0.1\"}}";
    static final JsonNode DELIVERED = parse("""
            [{'kind':'custom','key':'Test Event','contextKeys':{'unauthenticatedUser':'anon-1','user':'user1234'},
              'metricValue':123.456,'data':{'revenue':123.456},'creationDate':1648661098000},
             {'kind':'custom','key':'Signed Up','contextKeys':{'user':'array-1'},'data':{},
              'creationDate':1648661100000},
             {'kind':'alias','key':'array-2','previousKey':'anon-2','contextKind':'user',
              'previousContextKind':'anonymousUser','creationDate':1648661071000},
             {'kind':'custom','key':'Order Completed','contextKeys':{'user':'batch-on'},'metricValue':7,
              'data':{'value':'7'},'creationDate':1648661098000}]""");

    /** The events LaunchDarkly accepted, whatever batches they came in. */
    static List<JsonNode> acceptedEvents() {
        List<JsonNode> events = new ArrayList<>();
        LAUNCHDARKLY.accepted().values().forEach(batch -> batch.forEach(events::add));
        return events;
    }

    private String sendMapMessage() throws JMSException {
        try (Connection connection = new ActiveMQConnectionFactory(broker().coreUrl()).createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MapMessage message = session.createMapMessage();
            message.setString("type", "track");
            session.createProducer(session.createQueue(queue)).send(message);
            return message.getJMSMessageID();
        }
    }

    @Test
    void everyMessageShapeIsDeliveredOnceAndPoisonMessagesAreRejectedWithTheirIdsAndAcknowledged() throws Exception {
        broker().sendTexts(queue, List.of(ONE_EVENT, ARRAY));
        broker().sendBytes(queue, gzip(BATCH));
        String notJson = broker().sendText(queue, "{\"type\":\"track\",");
        String mapMessage = sendMapMessage();

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedEvents().size() >= 4);
        assertThat(acceptedEvents()).containsExactlyInAnyOrderElementsOf(DELIVERED);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker().messagesIn(queue) == 0);

        List<JsonNode> rejected = new ArrayList<>();
        for (var file : TestInbox.list(inbox.rejected())) {
            TestInbox.lines(file).forEach(line -> rejected.add(Json.parse(line)));
        }
        assertThat(rejected).hasSize(2);
        assertThat(rejected).allSatisfy(record -> {
            assertThat(record.path("input").asText()).startsWith("jms queue " + queue + " chunk ");
            assertThat(record.path("position").asText()).startsWith("message ");
        });
        assertThat(rejected).anySatisfy(record -> assertThat(record.path("reason").asText())
                .startsWith("message " + notJson + ": invalid JSON"));
        assertThat(rejected).anySatisfy(record -> assertThat(record.path("reason").asText())
                .isEqualTo("message " + mapMessage + ": a MapMessage: the source reads text and bytes messages"));
        assertThat(Files.exists(inbox.deadLetters()) && !TestInbox.list(inbox.deadLetters()).isEmpty()).isFalse();
    }
}
