package io.github.segmentld.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

import io.github.segmentld.Application;
import io.github.segmentld.LocalBroker;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The Kafka path of the benchmark: the first events of the same file produced to a 6-partition topic of an in-process
 * broker, then read and delivered by the application with 1, 2 and 3 consumers (kafka.consumers), each run a consumer
 * group of its own from the start of the topic; prints each rate and its ratio to the file path's.
 */
final class KafkaBenchmark {

    static final int PARTITIONS = 6;
    private static final String TOPIC = "bench-events";

    private KafkaBenchmark() {
    }

    /** @param settings the application's settings for a run (work folders, the stand-in) */
    static void run(Path file, int events, double fileRate, Supplier<Properties> settings)
            throws Exception {
        EmbeddedKafkaKraftBroker broker = LocalBroker.start(0, PARTITIONS);
        String servers = LocalBroker.servers(broker);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
            produce(servers, TOPIC, file, events);
            System.out.println();
            System.out.printf(Locale.ROOT, "Kafka: %,d events on a topic of %d partitions (in-process broker), read and"
                    + " delivered from its start%n", events, PARTITIONS);
            for (int consumers = 1; consumers <= 3; consumers++) {
                double seconds = consume(servers, admin, consumers, events, settings);
                double rate = events / seconds;
                System.out.printf(Locale.ROOT, "%d consumer%s                    %,.0f events/s (%.2f s), ratio to the"
                        + " file path %.2f%n", consumers, consumers == 1 ? " " : "s", rate, seconds, rate / fileRate);
            }
        } finally {
            broker.destroy();
        }
    }

    /** Each line of the file a record of {@code topic}, keyed by its line number. */
    static void produce(String servers, String topic, Path file, int events) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), new ByteArraySerializer());
             BufferedReader reader = new BufferedReader(new InputStreamReader(
                     new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            int sent = 0;
            for (String line = reader.readLine(); line != null && sent < events; line = reader.readLine()) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(sent++), line.getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** Seconds from the application's start until its group has committed past every record. */
    private static double consume(String servers, Admin admin, int consumers, int events,
                                  Supplier<Properties> settings) throws Exception {
        String group = "bench-" + consumers;
        Properties p = settings.get();
        p.setProperty("kafka.enabled", "true");
        p.setProperty("kafka.bootstrap-servers", servers);
        p.setProperty("kafka.topics", TOPIC);
        p.setProperty("kafka.group-id", group);
        p.setProperty("kafka.consumers", Integer.toString(consumers));
        Main main = new Main(Application.class);
        main.setOverrideProperties(p);
        main.start();
        // from the started application: its start-up is not the path's rate
        long start = System.nanoTime();
        try {
            while (committed(admin, group) < events) {
                Thread.sleep(20);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            main.stop();
        }
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }
}
