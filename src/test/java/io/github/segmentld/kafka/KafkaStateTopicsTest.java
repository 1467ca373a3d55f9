package io.github.segmentld.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import io.github.segmentld.Loopback;
import io.github.segmentld.store.StateUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** A state topic the broker does not answer for is the state being unavailable, never a fault of the input. */
class KafkaStateTopicsTest {

    @Test
    void aDeadLetterNoBrokerTakesIsStateUnavailable() throws IOException {
        // nothing listens on the port: every request times out
        KafkaClients clients = new KafkaClients(new KafkaConfiguration(), "127.0.0.1:" + Loopback.freePort());
        KafkaDeadLetters deadLetters = new KafkaDeadLetters(clients, "dead-letters", 1, "segment", "replay", 300);
        deadLetters.start();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getIn().setHeader(KafkaDeadLetters.PAYLOAD_ID, "payload-1");
            exchange.getIn().setBody("{}".getBytes());

            assertThatThrownBy(() -> deadLetters.store(exchange))
                    .isInstanceOf(StateUnavailableException.class)
                    .hasMessageStartingWith("Kafka topic dead-letters cannot be looked up");
        } finally {
            deadLetters.stop();
        }
    }
}
