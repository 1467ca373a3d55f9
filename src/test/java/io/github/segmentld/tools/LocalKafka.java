package io.github.segmentld.tools;

import java.util.concurrent.CountDownLatch;

import io.github.segmentld.LocalBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A Kafka broker for trying the Kafka source on one machine without installing Kafka (scripts/local-kafka.sh): the
 * tests' in-process KRaft broker, on 127.0.0.1 and a port of its own (9092 unless given), with the topic
 * segment-events in 6 partitions. Its data lives as long as it runs; Ctrl+C stops it.
 */
public final class LocalKafka {

    private LocalKafka() {
    }

    public static void main(String... args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9092;
        EmbeddedKafkaKraftBroker broker = LocalBroker.start(port, 6, "segment-events");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.destroy();
            stopped.countDown();
        }));
        System.out.println("Kafka broker on 127.0.0.1:" + port + ", topic segment-events (6 partitions). Ctrl+C stops it.");
        stopped.await();
    }
}
