package io.github.segmentld.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.ParkedBatches.SharedChange;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.store.StateUnavailableException;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry queues shared by the instances that consume the same Kafka topics, so that a batch parked by an instance
 * that is lost meanwhile is sent by another. The queues live in a compacted topic (kafka.retry-queue-topic), one
 * record per parked batch keyed by its payload ID (its deflated document, its schedule in headers), a newer record
 * for a new schedule, and a tombstone once the batch has left its queue; the broker keeps the latest of each.
 * <p>
 * Each instance reads the whole topic into its state database (so it holds each queue to its limit) and sends
 * the batches of the partitions the group gives it; when an instance leaves, its partitions, and so its batches, go to
 * the others. Until an instance has read the topic to where it ended at its start, it sends nothing from it. Batches
 * parked here before the queues were shared are handed over at start. A batch may be sent by two instances around a
 * rebalance, under its one payload ID.
 */
public class KafkaRetryQueues extends ServiceSupport implements ParkedBatches.Sharing {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRetryQueues.class);
    private static final String DESTINATION = "destination";
    private static final String EVENTS = "events";
    private static final String FIRST_FAILED_AT = "first-failed-at";
    private static final String ATTEMPTS = "attempts";
    private static final String NEXT_ATTEMPT_AT = "next-attempt-at";
    private static final String LAST_FAILURE = "last-failure";
    private static final String WRITER = "writer";
    private static final long RETRY_MILLIS = 5000;
    private static final int HAND_OVER_PAGE = 100;

    private final KafkaClients clients;
    private final String topic;
    private final int partitionsToCreate;
    private final String groupId;
    private final long timeoutMillis;
    private final ParkedBatches parked;
    // Once the copy is up to date, the changes this instance writes are in it already: read back, they could undo
    // what it did since.
    private final String writer = UUID.randomUUID().toString();
    private volatile Producer<String, byte[]> producer;
    private volatile int partitions;
    private volatile Set<Integer> assigned = Set.of();
    private volatile boolean caughtUp;
    private volatile boolean running;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile Consumer<String, byte[]> copyConsumer;
    private volatile Consumer<String, byte[]> groupConsumer;
    private Thread reader;

    /**
     * @param groupId        the consumer group that gives out the partitions to send
     * @param timeoutMillis  how long a batch parked or taken out may wait for the broker
     */
    public KafkaRetryQueues(KafkaClients clients, String topic, int partitionsToCreate, String groupId,
                            long timeoutMillis, ParkedBatches parked) {
        this.clients = clients;
        this.topic = topic;
        this.partitionsToCreate = partitionsToCreate;
        this.groupId = groupId;
        this.timeoutMillis = timeoutMillis;
        this.parked = parked;
    }

    @Override
    protected void doStart() {
        producer = new KafkaProducer<>(clients.durableProducer(timeoutMillis), new StringSerializer(),
                new ByteArraySerializer());
        running = true;
        reader = new Thread(this::read, "retry-queues-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        running = false;
        Consumer<?, ?> copy = copyConsumer;
        Consumer<?, ?> group = groupConsumer;
        if (copy != null) {
            copy.wakeup();
        }
        if (group != null) {
            group.wakeup();
        }
        stopping.countDown();
        if (reader != null) {
            // woken up, not interrupted: an interrupt would cut the closing of its consumers short
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        if (producer != null) {
            producer.close(Duration.ofMillis(timeoutMillis));
        }
    }

    @Override
    public int publish(Parked batch) {
        Headers headers = new RecordHeaders()
                .add(DESTINATION, bytes(batch.destination()))
                .add(EVENTS, bytes(Integer.toString(batch.events())))
                .add(FIRST_FAILED_AT, bytes(Long.toString(batch.firstFailedAt())))
                .add(ATTEMPTS, bytes(Integer.toString(batch.attempts())))
                .add(NEXT_ATTEMPT_AT, bytes(Long.toString(batch.nextAttemptAt())))
                .add(WRITER, bytes(writer));
        if (batch.lastFailure() != null) {
            headers.add(LAST_FAILURE, bytes(batch.lastFailure()));
        }
        return send(batch.payloadId(), batch.document(), headers);
    }

    @Override
    public void publishRemoval(String payloadId) {
        send(payloadId, null, new RecordHeaders().add(WRITER, bytes(writer)));
    }

    @Override
    public Set<Integer> heldPartitions() {
        return caughtUp ? assigned : Set.of();
    }

    private int send(String payloadId, byte[] document, Headers headers) {
        int count = partitions;
        if (count == 0) {
            throw new StateUnavailableException("the shared retry queues (Kafka topic " + topic + ") are not reachable"
                    + " yet", null);
        }
        // The partition by the payload ID alone, as the partitions of the topic were when this instance started.
        int partition = Utils.toPositive(Utils.murmur2(bytes(payloadId))) % count;
        try {
            producer.send(new ProducerRecord<>(topic, partition, payloadId, document, headers))
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
            return partition;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while writing to the shared retry queues", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StateUnavailableException("the shared retry queues (Kafka topic " + topic + ") did not take "
                    + (document == null ? "the removal of " : "") + "batch " + payloadId + ": " + cause, cause);
        }
    }

    private void read() {
        while (running) {
            try {
                readTopic();
            } catch (WakeupException stopping) {
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("Shared retry queues (Kafka topic {}): {}; read again in {} s", topic, e.toString(),
                        RETRY_MILLIS / 1000);
                caughtUp = false;
                try {
                    stopping.await(RETRY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Makes the topic if it is missing, hands over what is not shared yet, reads the topic, and follows it. */
    private void readTopic() {
        partitions = KafkaTopics.ensureCompacted(clients.admin(), topic, partitionsToCreate, timeoutMillis);
        handOver();
        parked.forgetSharedCopy();
        try (Consumer<String, byte[]> copy = consumer(null); Consumer<String, byte[]> group = consumer(groupId)) {
            copyConsumer = copy;
            groupConsumer = group;
            List<TopicPartition> all = new ArrayList<>();
            for (int partition = 0; partition < partitions; partition++) {
                all.add(new TopicPartition(topic, partition));
            }
            copy.assign(all);
            copy.seekToBeginning(all);
            Map<TopicPartition, Long> ends = copy.endOffsets(all);
            group.subscribe(List.of(topic), new Holding(group));
            long copied = 0;
            while (running) {
                ConsumerRecords<String, byte[]> records = copy.poll(Duration.ofMillis(200));
                copied += apply(records);
                if (!caughtUp && upTo(copy, ends)) {
                    caughtUp = true;
                    LOG.info("Shared retry queues (Kafka topic {}): read up to date ({} changes); this instance sends"
                            + " the batches of partitions {}", topic, copied, assigned);
                }
                // keeps this instance in the group; its partitions are paused, as the copy reads them all
                group.poll(Duration.ofMillis(10));
            }
        } finally {
            copyConsumer = null;
            groupConsumer = null;
            caughtUp = false;
        }
    }

    private static boolean upTo(Consumer<?, ?> copy, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> copy.position(end.getKey()) >= end.getValue());
    }

    /** Applies the changes of the other instances (should it fail, the topic is read anew from its start). */
    private int apply(ConsumerRecords<String, byte[]> records) {
        List<SharedChange> changes = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (caughtUp && writer.equals(header(record, WRITER))) {
                continue;
            }
            SharedChange change = change(record);
            if (change != null) {
                changes.add(change);
            }
        }
        if (!changes.isEmpty()) {
            parked.applyShared(changes);
        }
        return changes.size();
    }

    private SharedChange change(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warn("Shared retry queues: record {}-{}@{} has no payload ID; skipped", record.topic(),
                    record.partition(), record.offset());
            return null;
        }
        if (record.value() == null) {
            return new SharedChange(record.key(), record.partition(), null);
        }
        try {
            return new SharedChange(record.key(), record.partition(), new Parked(record.key(),
                    header(record, DESTINATION), Integer.parseInt(header(record, EVENTS)), record.value(),
                    Long.parseLong(header(record, FIRST_FAILED_AT)), Integer.parseInt(header(record, ATTEMPTS)),
                    Long.parseLong(header(record, NEXT_ATTEMPT_AT)), header(record, LAST_FAILURE)));
        } catch (NumberFormatException | NullPointerException e) {
            LOG.warn("Shared retry queues: record {}-{}@{} (batch {}) lacks its schedule; skipped", record.topic(),
                    record.partition(), record.offset(), record.key());
            return null;
        }
    }

    /** Hands the batches parked here before the queues were shared over to the topic, a page at a time. */
    private void handOver() {
        String after = "";
        int handedOver = 0;
        for (List<Parked> page = parked.unshared(after, HAND_OVER_PAGE); !page.isEmpty();
             page = parked.unshared(after, HAND_OVER_PAGE)) {
            for (Parked batch : page) {
                publish(batch);
                after = batch.payloadId();
                handedOver++;
            }
        }
        if (handedOver > 0) {
            LOG.info("Shared retry queues: {} batches parked here before are handed over to Kafka topic {}", handedOver,
                    topic);
        }
    }

    private Consumer<String, byte[]> consumer(String group) {
        Properties settings = clients.consumer();
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        if (group != null) {
            settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Keeps the partitions the group gives this instance, paused: the group only says whose batches are whose. */
    private final class Holding implements ConsumerRebalanceListener {

        private final Consumer<String, byte[]> group;

        Holding(Consumer<String, byte[]> group) {
            this.group = group;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> given) {
            group.pause(given);
            Set<Integer> now = new HashSet<>(assigned);
            given.forEach(partition -> now.add(partition.partition()));
            assigned = Set.copyOf(now);
            LOG.info("Shared retry queues: this instance now sends the batches of partitions {}", assigned);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> taken) {
            Set<Integer> now = new HashSet<>(assigned);
            taken.forEach(partition -> now.remove(partition.partition()));
            assigned = Set.copyOf(now);
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
