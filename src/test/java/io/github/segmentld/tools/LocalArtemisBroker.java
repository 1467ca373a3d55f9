package io.github.segmentld.tools;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import io.github.segmentld.LocalArtemis;

/**
 * An ActiveMQ Artemis broker for trying the JMS source on one machine without installing a broker
 * (scripts/local-artemis.sh): the tests' in-process broker on 127.0.0.1 and a port of its own (61616 unless given),
 * speaking Artemis' Core protocol and AMQP 1.0, queues made when first used. It keeps its messages in a journal in a
 * folder (target/local-artemis unless given, not synced) and holds at most 128 MiB of them in memory, paging the rest
 * to disk; Ctrl+C stops it.
 */
public final class LocalArtemisBroker {

    private static final long HELD_BYTES = 128L << 20;

    private LocalArtemisBroker() {
    }

    public static void main(String... args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 61616;
        Path folder = Path.of(args.length > 1 ? args[1] : "target/local-artemis").toAbsolutePath();
        LocalArtemis broker = new LocalArtemis(folder, HELD_BYTES, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception e) {
                System.err.println("stopping the broker: " + e);
            }
            stopped.countDown();
        }));
        System.out.println("Artemis broker on " + broker.coreUrl() + " (jms.protocol=artemis) and " + broker.amqpUrl()
                + " (jms.protocol=amqp), journal in " + folder + ". Ctrl+C stops it.");
        stopped.await();
    }
}
