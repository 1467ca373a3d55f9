package io.github.segmentld;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** An in-process KRaft Kafka broker on 127.0.0.1, for the tests, the benchmark and scripts/local-kafka.sh. */
public final class LocalBroker {

    private LocalBroker() {
    }

    /**
     * Starts a broker whose topics get {@code partitions} partitions.
     *
     * @param port its port, fixed so that it comes back there after a restart; 0 for one of its own
     */
    public static EmbeddedKafkaKraftBroker start(int port, int partitions, String... topics) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, partitions, topics);
        broker.brokerProperty("listeners", "EXTERNAL://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:0");
        // one broker: the transactions of a replay of dead letters keep their state on it alone
        broker.brokerProperty("transaction.state.log.replication.factor", "1");
        broker.brokerProperty("transaction.state.log.min.isr", "1");
        broker.afterPropertiesSet();
        return broker;
    }

    /** The bootstrap servers of a broker, by address: the tests touch 127.0.0.1 only. */
    public static String servers(EmbeddedKafkaKraftBroker broker) {
        return broker.getBrokersAsString().replace("localhost", "127.0.0.1");
    }
}
