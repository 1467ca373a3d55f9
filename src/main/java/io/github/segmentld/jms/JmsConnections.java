package io.github.segmentld.jms;

import java.net.URI;
import java.util.Locale;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * The JMS source's connections to its broker, in one of two protocols ({@code jms.protocol}): {@code artemis}, the
 * Core protocol of ActiveMQ Artemis through Artemis' own JMS client ({@code tcp://host:61616}), or {@code amqp}, AMQP
 * 1.0 through Qpid JMS ({@code amqp://host:5672}, {@code amqps://...}: RabbitMQ 4, Artemis, IBM MQ's AMQP channels,
 * Azure Service Bus...); and how a session's messages are acknowledged ({@code jms.acknowledge}): by committing a
 * transaction, which the broker confirms, or, for brokers without transactions (RabbitMQ's AMQP 1.0), by JMS's client
 * acknowledgement, which it does not. The user and password come from the settings (the environment), never from a
 * log.
 */
public final class JmsConnections {

    private final ConnectionFactory factory;
    private final String shownUrl;
    private final boolean transacted;

    /** @throws IllegalArgumentException naming the setting, for a protocol, URL or acknowledgement it cannot use */
    public JmsConnections(String protocol, String brokerUrl, String user, String password, String acknowledge) {
        String url = brokerUrl.strip();
        if (url.isEmpty()) {
            throw new IllegalArgumentException("jms.broker-url is empty: give the broker's URL (tcp://host:61616 for"
                    + " jms.protocol=artemis, amqp://host:5672 for jms.protocol=amqp)");
        }
        this.shownUrl = withoutQuery(url);
        String username = user == null || user.isBlank() ? null : user;
        String secret = password == null || password.isEmpty() ? null : password;
        switch (protocol.strip().toLowerCase(Locale.ROOT)) {
            case "artemis" -> factory = new ActiveMQConnectionFactory(url, username, secret);
            case "amqp" -> factory = new JmsConnectionFactory(username, secret, url);
            default -> throw new IllegalArgumentException("jms.protocol is '" + protocol + "': it must be artemis"
                    + " (Artemis' Core protocol, tcp://host:61616) or amqp (AMQP 1.0, amqp://host:5672)");
        }
        switch (acknowledge.strip().toLowerCase(Locale.ROOT)) {
            case "transaction" -> transacted = true;
            case "client" -> transacted = false;
            default -> throw new IllegalArgumentException("jms.acknowledge is '" + acknowledge + "': it must be"
                    + " transaction or client (for a broker without transactions)");
        }
    }

    /** A new connection, not started. */
    public Connection open() throws JMSException {
        return factory.createConnection();
    }

    /** A session of the connection whose messages are acknowledged only by {@link #acknowledge}. */
    Session session(Connection connection) throws JMSException {
        return transacted ? connection.createSession(true, Session.SESSION_TRANSACTED)
                : connection.createSession(false, Session.CLIENT_ACKNOWLEDGE);
    }

    /** Acknowledges every message the session received; {@code last} is the last of them. */
    void acknowledge(Session session, Message last) throws JMSException {
        if (transacted) {
            session.commit();
        } else {
            last.acknowledge();
        }
    }

    /**
     * Whether the broker has an acknowledgement once {@link #acknowledge} returns: a commit's answer says so; a client
     * acknowledgement is sent without an answer, and one sent just before a crash may be lost.
     */
    boolean confirmsAcknowledgements() {
        return transacted;
    }

    /** The broker's URL as logs show it: scheme, host and port, without the options (which may hold a password). */
    public String shownUrl() {
        return shownUrl;
    }

    private static String withoutQuery(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            }
        } catch (IllegalArgumentException notAUri) {
            // a list of brokers (failover:(...)), shown without its options below
        }
        int options = url.indexOf('?');
        return options < 0 ? url : url.substring(0, options);
    }
}
