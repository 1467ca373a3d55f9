package io.github.segmentld.bench;

import java.io.BufferedReader;
import java.io.IOException;
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
 * The JMS path of the benchmark: the first events of the same file sent to a queue of an in-process Artemis broker as
 * text messages, one event a message (what a bus that forwards Segment's calls one by one holds) or a JSON array of
 * several, then received and delivered by the application over Artemis' Core protocol; prints its rate and its ratio
 * to the file path's, from the started application until every message is acknowledged, and the CPU time it took.
 */
final class JmsBenchmark {

    private static final String QUEUE = "bench-events";
    /**
     * What the broker holds of the queue in memory, paging the rest to its journal's folder: the application's heap is
     * shared with it.
     */
    private static final long BROKER_HELD_BYTES = 32L << 20;
    /** The run fails rather than wait longer than this. */
    private static final long TIME_LIMIT_SECONDS = 300;

    private JmsBenchmark() {
    }

    /**
     * Sends the file's first {@code events} events to a queue, {@code perMessage} a message (one event, or a JSON array
     * of them), and times the application receiving and delivering them.
     *
     * @param settings the application's settings for a run (work folders, the stand-in)
     */
    static void run(Path work, Path file, int events, int perMessage, double fileRate, Properties settings)
            throws Exception {
        Benchmark.deleteTree(work.resolve("artemis"));
        try (LocalArtemis broker = new LocalArtemis(work.resolve("artemis"), BROKER_HELD_BYTES)) {
            fill(broker.coreUrl(), QUEUE, file, events, perMessage);
            System.out.println();
            System.out.printf(Locale.ROOT, "JMS: %,d events, %s, on a queue of an in-process Artemis broker, received"
                    + " and delivered%n", events, perMessage == 1 ? "one a message" : perMessage + " a message");
            settings.setProperty("jms.enabled", "true");
            settings.setProperty("jms.broker-url", broker.coreUrl());
            settings.setProperty("jms.queues", QUEUE);
            Main main = new Main(Application.class);
            main.setOverrideProperties(settings);
            main.start();
            // from the started application: its start-up is not the path's rate
            long start = System.nanoTime();
            long cpu = Benchmark.processCpuNanos();
            long deadline = start + TimeUnit.SECONDS.toNanos(TIME_LIMIT_SECONDS);
            double seconds;
            try {
                while (broker.messagesIn(QUEUE) > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(broker.messagesIn(QUEUE) + " messages still in the queue after "
                                + TIME_LIMIT_SECONDS + " s");
                    }
                    Thread.sleep(20);
                }
                seconds = (System.nanoTime() - start) / 1e9;
                cpu = Benchmark.processCpuNanos() - cpu;
            } finally {
                main.stop();
            }
            double rate = events / seconds;
            System.out.printf(Locale.ROOT, "JMS queue -> HTTP               %,.0f events/s (%.2f s), ratio to the file"
                    + " path %.2f%n", rate, seconds, rate / fileRate);
            System.out.printf(Locale.ROOT, "CPU per 1,000 events           %.2f ms, the broker's and the stand-in's"
                    + " included%n", cpu / 1e3 / events);
        }
    }

    /**
     * Sends the file's first {@code events} events to a queue of the Artemis broker at {@code coreUrl},
     * {@code perMessage} a message (one event, or a JSON array of them).
     */
    static void fill(String coreUrl, String queue, Path file, int events, int perMessage) throws IOException {
        fill(coreUrl, queue, file, 0, events, perMessage);
    }

    /** The same with the {@code events} events that follow the file's first {@code skip}. */
    static void fill(String coreUrl, String queue, Path file, int skip, int events, int perMessage)
            throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            for (int i = 0; i < skip; i++) {
                reader.readLine();
            }
            LocalArtemis.sendTexts(coreUrl, queue, messages(reader, events, perMessage), id -> { });
        }
    }

    /** The file's first lines, {@code perMessage} to a message (a JSON array of them, unless one), read as sent. */
    private static Iterator<String> messages(BufferedReader reader, int events, int perMessage) {
        Iterator<String> lines = reader.lines().limit(events).iterator();
        if (perMessage == 1) {
            return lines;
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public String next() {
                StringBuilder array = new StringBuilder("[");
                for (int i = 0; i < perMessage && lines.hasNext(); i++) {
                    array.append(i == 0 ? "" : ",").append(lines.next());
                }
                return array.append(']').toString();
            }
        };
    }
}
