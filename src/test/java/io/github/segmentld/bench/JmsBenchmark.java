package io.github.segmentld.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import io.github.segmentld.Application;
import io.github.segmentld.LocalArtemis;
import org.apache.camel.main.Main;

/**
 * The JMS path of the benchmark: the first events of the same file sent to a queue of an in-process Artemis broker,
 * one event per text message (what a bus that forwards Segment's calls one by one holds), then received and delivered
 * by the application over Artemis' Core protocol; prints its rate and its ratio to the file path's, from the started
 * application until every message is acknowledged.
 */
final class JmsBenchmark {

    private static final String QUEUE = "bench-events";
    /** The run fails rather than wait longer than this. */
    private static final long TIME_LIMIT_SECONDS = 300;

    private JmsBenchmark() {
    }

    /** @param settings the application's settings for a run (work folders, the stand-in) */
    static void run(Path work, Path file, int events, double fileRate, Properties settings) throws Exception {
        try (LocalArtemis broker = new LocalArtemis(work.resolve("artemis"));
             BufferedReader reader = new BufferedReader(new InputStreamReader(
                     new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            broker.sendTexts(QUEUE, lines(reader, events), id -> { });
            System.out.println();
            System.out.printf(Locale.ROOT, "JMS: %,d events, one a message, on a queue of an in-process Artemis broker,"
                    + " received and delivered%n", events);
            settings.setProperty("jms.enabled", "true");
            settings.setProperty("jms.broker-url", broker.coreUrl());
            settings.setProperty("jms.queues", QUEUE);
            Main main = new Main(Application.class);
            main.setOverrideProperties(settings);
            main.start();
            // from the started application: its start-up is not the path's rate
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);
            try {
                while (broker.messagesIn(QUEUE) > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(broker.messagesIn(QUEUE) + " messages still in the queue after "
                                + TIME_LIMIT_SECONDS + " s");
                    }
                    Thread.sleep(20);
                }
            } finally {
                main.stop();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = events / seconds;
            System.out.printf(Locale.ROOT, "JMS queue -> HTTP               %,.0f events/s (%.2f s), ratio to the file path"
                    + " %.2f%n", rate, seconds, rate / fileRate);
        }
    }

    /** The file's first lines, read as they are sent. */
    private static Iterator<String> lines(BufferedReader reader, int count) {
        return reader.lines().limit(count).iterator();
    }
}
