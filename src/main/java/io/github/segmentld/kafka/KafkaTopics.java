package io.github.segmentld.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.store.StateUnavailableException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compacted topics that hold what must outlive any one instance (the shared retry queues, the dead letters): one
 * record per payload ID, the latest kept for as long as it is not deleted by a tombstone. A topic with another cleanup
 * policy would drop what it holds after its retention time, so it is refused. And reading a topic up to where it ends.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {
    }

    /**
     * Makes the topic, compacted, with {@code partitions} partitions (and the brokers' replication factor) if it is
     * missing, and returns how many partitions it has.
     *
     * @throws StateUnavailableException when the topic exists and is not compacted, or cannot be looked up or made
     */
    public static int ensureCompacted(Properties adminSettings, String topic, int partitions, long timeoutMillis) {
        Properties settings = new Properties();
        settings.putAll(adminSettings);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
        try (Admin admin = Admin.create(settings)) {
            TopicDescription description = describe(admin, topic, timeoutMillis);
            if (description == null) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                            .all().get(timeoutMillis, TimeUnit.MILLISECONDS);
                    LOG.info("Kafka topic {} made, compacted, with {} partitions", topic, partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
                description = awaitKnown(admin, topic, timeoutMillis);
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeoutMillis, TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new StateUnavailableException("Kafka topic " + topic + " has cleanup.policy="
                        + (policy == null ? "?" : policy.value()) + ": it must be compact, or the broker drops what it"
                        + " holds after its retention time", null);
            }
            return description.partitions().size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while looking up Kafka topic " + topic, e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StateUnavailableException("Kafka topic " + topic + " cannot be looked up: " + cause, cause);
        }
    }

    /** Gives each record of the topic, from its start up to where it ends now, to {@code each}. */
    public static <K, V> void readFromStart(Consumer<K, V> reader, String topic, long timeoutMillis,
                                            java.util.function.Consumer<ConsumerRecord<K, V>> each) {
        List<TopicPartition> all = reader.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        reader.assign(all);
        reader.seekToBeginning(all);
        readUpTo(reader, reader.endOffsets(all), timeoutMillis, each);
    }

    /**
     * Gives each record from the reader's positions up to {@code ends} (not included) to {@code each}.
     *
     * @throws org.apache.kafka.common.errors.TimeoutException when nothing comes for {@code timeoutMillis}
     */
    public static <K, V> void readUpTo(Consumer<K, V> reader, Map<TopicPartition, Long> ends, long timeoutMillis,
                                       java.util.function.Consumer<ConsumerRecord<K, V>> each) {
        long progressAt = System.nanoTime();
        while (ends.entrySet().stream().anyMatch(end -> reader.position(end.getKey()) < end.getValue())) {
            ConsumerRecords<K, V> records = reader.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                progressAt = System.nanoTime();
            } else if (System.nanoTime() - progressAt > TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
                throw new org.apache.kafka.common.errors.TimeoutException("nothing came for " + timeoutMillis + " ms");
            }
            for (ConsumerRecord<K, V> record : records) {
                if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                    each.accept(record);
                }
            }
        }
    }

    /** A topic just made is known to every broker a moment later. */
    private static TopicDescription awaitKnown(Admin admin, String topic, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (TopicDescription description = describe(admin, topic, timeoutMillis); ;
             description = describe(admin, topic, timeoutMillis)) {
            if (description != null) {
                return description;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("Kafka topic " + topic + " was made, but is still unknown to the brokers");
            }
            Thread.sleep(100);
        }
    }

    private static TopicDescription describe(Admin admin, String topic, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMillis, TimeUnit.MILLISECONDS)
                    .get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }
}
