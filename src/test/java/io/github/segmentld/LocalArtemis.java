package io.github.segmentld;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.QueueConnection;
import jakarta.jms.QueueRequestor;
import jakarta.jms.QueueSession;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSClient;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * An in-process ActiveMQ Artemis broker on 127.0.0.1 and a port of its own, speaking its Core protocol and AMQP 1.0 on
 * one acceptor, for the JMS source's tests and the benchmark. Messages are kept in memory (no journal); queues are made
 * when first used.
 */
public final class LocalArtemis implements AutoCloseable {

    private static final int SENT_PER_COMMIT = 1000;

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final int port;

    /** @param folder where the broker may write (it writes nothing without a journal, but wants the folders named) */
    public LocalArtemis(Path folder) {
        this(folder, 0);
    }

    /**
     * A broker that keeps its messages in a journal in {@code folder} (not synced: what is measured is the consumer)
     * and holds at most {@code maxHeldBytes} of them in memory, paging the rest to disk (0: every message in memory, no
     * journal), so that a large queue does not take the heap of the JVM it shares.
     */
    public LocalArtemis(Path folder, long maxHeldBytes) {
        this(folder, maxHeldBytes, Loopback.freePort());
    }

    /** The same on a port given. */
    public LocalArtemis(Path folder, long maxHeldBytes, int port) {
        this.port = port;
        Configuration configuration = new ConfigurationImpl()
                .setPersistenceEnabled(maxHeldBytes > 0)
                .setJournalType(JournalType.NIO)
                .setJournalSyncTransactional(false)
                .setJournalSyncNonTransactional(false)
                .setJournalDirectory(folder.resolve("journal").toString())
                .setPagingDirectory(folder.resolve("paging").toString())
                .setBindingsDirectory(folder.resolve("bindings").toString())
                .setLargeMessagesDirectory(folder.resolve("large-messages").toString())
                .setGlobalMaxSize(maxHeldBytes > 0 ? maxHeldBytes : -1)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                // a test machine's disk may be fuller than the broker's default limit, which would block senders
                .setMaxDiskUsage(-1)
                .setCriticalAnalyzer(false)
                .addAddressSetting("#", new AddressSettings().setMaxDeliveryAttempts(-1));
        configuration.setBrokerInstance(folder.toFile());
        try {
            configuration.addAcceptorConfiguration("loopback", "tcp://127.0.0.1:" + port + "?protocols=CORE,AMQP");
            server.setConfiguration(configuration);
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("the embedded Artemis broker did not start", e);
        }
    }

    /** The URL of its Core protocol (jms.protocol=artemis). */
    public String coreUrl() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The URL of its AMQP 1.0 (jms.protocol=amqp). */
    public String amqpUrl() {
        return "amqp://127.0.0.1:" + port;
    }

    /** Sends each text as a persistent text message to the queue; returns their message IDs. */
    public List<String> sendTexts(String queue, List<String> texts) {
        List<String> ids = new ArrayList<>(texts.size());
        sendTexts(queue, texts.iterator(), ids::add);
        return ids;
    }

    /**
     * Sends each text as a persistent text message to the queue, in transactions of {@link #SENT_PER_COMMIT} messages
     * (a message sent alone waits for the broker's answer); tells {@code sent} each one's message ID.
     */
    public void sendTexts(String queue, Iterator<String> texts, Consumer<String> sent) {
        sendTexts(coreUrl(), queue, texts, sent);
    }

    /** {@link #sendTexts(String, Iterator, Consumer)} to an Artemis broker at a Core protocol URL. */
    public static void sendTexts(String coreUrl, String queue, Iterator<String> texts, Consumer<String> sent) {
        try (Connection connection = new ActiveMQConnectionFactory(coreUrl).createConnection();
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
            MessageProducer producer = session.createProducer(session.createQueue(queue));
            int uncommitted = 0;
            while (texts.hasNext()) {
                TextMessage message = session.createTextMessage(texts.next());
                producer.send(message);
                sent.accept(message.getJMSMessageID());
                if (++uncommitted == SENT_PER_COMMIT) {
                    session.commit();
                    uncommitted = 0;
                }
            }
            session.commit();
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends the bytes as a persistent bytes message to the queue; returns its message ID. */
    public String sendBytes(String queue, byte[] bytes) {
        try (Connection connection = new ActiveMQConnectionFactory(coreUrl()).createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(bytes);
            session.createProducer(session.createQueue(queue)).send(message);
            return message.getJMSMessageID();
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }

    public String sendText(String queue, String text) {
        return sendTexts(queue, List.of(text)).get(0);
    }

    /** Messages in the queue, delivered and not acknowledged ones included; 0 for a queue not made yet. */
    public long messagesIn(String queue) {
        Queue found = server.getActiveMQServer().locateQueue(SimpleString.of(queue));
        return found == null ? 0 : found.getMessageCount();
    }

    /**
     * {@link #messagesIn(String)} of an Artemis broker at a Core protocol URL, asked through its management address;
     * throws for a queue the broker does not have.
     */
    public static long messagesIn(String coreUrl, String queue) {
        try (QueueConnection connection = new ActiveMQConnectionFactory(coreUrl).createQueueConnection();
             QueueSession session = connection.createQueueSession(false, Session.AUTO_ACKNOWLEDGE)) {
            QueueRequestor requestor = new QueueRequestor(session,
                    ActiveMQJMSClient.createQueue("activemq.management"));
            connection.start();
            Message request = session.createMessage();
            JMSManagementHelper.putAttribute(request, ResourceNames.QUEUE + queue, "messageCount");
            Message reply = requestor.request(request);
            if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
                // a run that took an unknown queue for an empty one would end at once, measuring nothing
                throw new IllegalStateException("no queue " + queue + ": " + JMSManagementHelper.getResult(reply));
            }
            return ((Number) JMSManagementHelper.getResult(reply, Long.class)).longValue();
        } catch (Exception e) {
            throw new IllegalStateException("the broker at " + coreUrl + " did not answer how many messages queue "
                    + queue + " holds", e);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
