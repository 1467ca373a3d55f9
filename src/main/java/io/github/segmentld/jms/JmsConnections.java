package io.github.segmentld.jms;

import java.net.URI;
import java.util.Locale;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * The JMS source's connections to its broker, in one of two protocols ({@code jms.protocol}): {@code artemis}, the
 * Core protocol of ActiveMQ Artemis through Artemis' own JMS client ({@code tcp://host:61616}), or {@code amqp}, AMQP
 * 1.0 through Qpid JMS ({@code amqp://host:5672}, {@code amqps://...}: RabbitMQ 4, Artemis, IBM MQ's AMQP channels,
 * Azure Service Bus...). The user and password come from the settings (the environment), never from a log.
 */
public final class JmsConnections {

    private final ConnectionFactory factory;
    private final String shownUrl;

    /** @throws IllegalArgumentException naming the setting, for a protocol or URL that cannot be used */
    public JmsConnections(String protocol, String brokerUrl, String user, String password) {
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
    }

    /** A new connection, not started. */
    public Connection open() throws JMSException {
        return factory.createConnection();
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
