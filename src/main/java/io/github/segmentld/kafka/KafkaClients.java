package io.github.segmentld.kafka;

import java.util.Properties;
import java.util.Set;

import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings of the Kafka clients the application makes itself (beside the routes' Camel endpoints): those of
 * Camel's Kafka component, security included, with the brokers; each client gets the keys it knows.
 */
public final class KafkaClients {

    private final Properties settings = new Properties();

    public KafkaClients(KafkaConfiguration component, String bootstrapServers) {
        settings.putAll(component.createConsumerProperties());
        settings.putAll(component.createProducerProperties());
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /**
     * A producer whose records are acknowledged by every in-sync replica, written once each however the client
     * retries (idempotent), and that fails within {@code timeoutMillis} rather than wait for a broker that is down.
     */
    public Properties durableProducer(long timeoutMillis) {
        Properties producer = only(ProducerConfig.configNames());
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMillis));
        producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMillis));
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMillis + 2));
        return producer;
    }

    /** Without a group: who uses one sets it. */
    public Properties consumer() {
        Properties consumer = only(ConsumerConfig.configNames());
        consumer.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return consumer;
    }

    public Properties admin() {
        return only(AdminClientConfig.configNames());
    }

    private Properties only(Set<String> known) {
        Properties selected = new Properties();
        settings.forEach((key, value) -> {
            if (known.contains(key.toString())) {
                selected.put(key, value);
            }
        });
        return selected;
    }
}
