package io.github.segmentld.kafka;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import io.github.segmentld.store.StateUnavailableException;
import io.github.segmentld.store.WorkFolderFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters on Kafka (kafka.dead-letter-topic), where every instance and the operator reach them whichever
 * instance wrote them: a compacted topic with one record per dead-lettered batch, keyed by its payload ID, holding the
 * same document as a dead-letter file (a batch object with its {@code deadLetter} section). A batch dead-lettered again
 * after a crash gives a newer record under the same key, which the broker keeps in place of the older.
 * <p>
 * Replaying produces the selected dead letters back to the source topic, where any instance reads them as batch
 * objects for their own destination only, and deletes them from the dead letters with a tombstone, both in one
 * transaction: a replay cut short has replayed all of a transaction or nothing of it, and two replays at once fence
 * each other rather than replaying a dead letter twice. A dead letter a newer release wrote
 * ({@link WorkFolderFormat#DEAD_LETTER}) is not replayed: it stays in the topic for that release.
 */
public class KafkaDeadLetters extends ServiceSupport {

    /** The header with the payload ID of the dead-lettered batch. */
    public static final String PAYLOAD_ID = "deadLetterPayloadId";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetters.class);
    private static final int REPLAY_TRANSACTION = 200;

    /** Where a dead letter is in the topic. */
    private record Place(int partition, long offset) {
    }

    private final KafkaClients clients;
    private final String topic;
    private final int partitions;
    private final String sourceTopic;
    private final String replayId;
    private final long timeoutMillis;
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile Producer<String, byte[]> writer;
    private volatile boolean topicReady;

    /**
     * @param partitions  the partitions of the topic, when it must be made
     * @param sourceTopic where a replayed dead letter goes: a topic the instances consume
     * @param replayId    the transactional ID of replays, the same for every instance
     */
    public KafkaDeadLetters(KafkaClients clients, String topic, int partitions, String sourceTopic, String replayId,
                            long timeoutMillis) {
        this.clients = clients;
        this.topic = topic;
        this.partitions = partitions;
        this.sourceTopic = sourceTopic;
        this.replayId = replayId;
        this.timeoutMillis = timeoutMillis;
    }

    public String topic() {
        return topic;
    }

    @Override
    protected void doStart() {
        writer = new KafkaProducer<>(clients.durableProducer(timeoutMillis), new StringSerializer(),
                new ByteArraySerializer());
    }

    @Override
    protected void doStop() {
        if (writer != null) {
            writer.close(Duration.ofMillis(timeoutMillis));
        }
    }

    /**
     * Stores the dead letter prepared in the message (keyed by its payload ID), and returns once the broker has it.
     *
     * @throws StateUnavailableException when the broker does not take it in time
     */
    public void store(Exchange exchange) {
        ensureTopic();
        String payloadId = exchange.getIn().getHeader(PAYLOAD_ID, String.class);
        try {
            writer.send(new ProducerRecord<>(topic, payloadId, exchange.getIn().getBody(byte[].class)))
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StateUnavailableException("interrupted while writing batch " + payloadId + " to the dead letters"
                    + " (Kafka topic " + topic + ")", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StateUnavailableException("the dead letters (Kafka topic " + topic + ") did not take batch "
                    + payloadId + ": " + cause, cause);
        }
    }

    // Made here, compacted, before the first record: a broker that makes missing topics would make it with its
    // default policy, which drops dead letters after the retention time.
    private void ensureTopic() {
        if (!topicReady) {
            KafkaTopics.ensureCompacted(clients.admin(), topic, partitions, timeoutMillis);
            topicReady = true;
        }
    }

    /**
     * The dead letters of the topic as selected, by destination, a part of the reason, and the time of dead-lettering
     * ({@code since} and {@code until} inclusive); with {@code confirmed}, replayed. Returns how many.
     */
    public int replay(String destination, String reason, long since, long until, boolean confirmed) {
        ensureTopic();
        Predicate<JsonNode> selected = deadLetter -> {
            long time = timeOf(deadLetter);
            return time >= since && time <= until
                    && (destination == null || destination.equals(deadLetter.path("destination").asText()))
                    && (reason == null || deadLetter.path("reason").asText().contains(reason));
        };
        if (!confirmed) {
            return latest(selected).size();
        }
        Properties settings = clients.durableProducer(timeoutMillis);
        settings.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, replayId);
        try (Producer<String, byte[]> replayer = new KafkaProducer<>(settings, new StringSerializer(),
                new ByteArraySerializer())) {
            // first, so that a replay still under way elsewhere is fenced off (or done) before the letters are read
            replayer.initTransactions();
            Map<String, Place> letters = latest(selected);
            List<ConsumerRecord<String, byte[]>> pending = new ArrayList<>();
            readAll(record -> {
                Place place = letters.get(record.key());
                if (place != null && place.partition() == record.partition() && place.offset() == record.offset()) {
                    pending.add(record);
                    if (pending.size() == REPLAY_TRANSACTION) {
                        replayTransaction(replayer, pending);
                    }
                }
            });
            replayTransaction(replayer, pending);
            LOG.info("Replay: {} dead-lettered batches produced back to Kafka topic {}", letters.size(), sourceTopic);
            return letters.size();
        }
    }

    private void replayTransaction(Producer<String, byte[]> replayer, List<ConsumerRecord<String, byte[]>> letters) {
        if (letters.isEmpty()) {
            return;
        }
        replayer.beginTransaction();
        for (ConsumerRecord<String, byte[]> letter : letters) {
            replayer.send(new ProducerRecord<>(sourceTopic, letter.key(), letter.value()));
            replayer.send(new ProducerRecord<>(topic, letter.partition(), letter.key(), null));
        }
        replayer.commitTransaction();
        letters.clear();
    }

    /**
     * Where the latest dead letter of each payload ID is, of those {@code selected} takes and not deleted since; a
     * selected one that a newer release wrote is left out, and logged.
     */
    private Map<String, Place> latest(Predicate<JsonNode> selected) {
        Map<String, Place> letters = new HashMap<>();
        Map<String, String> newer = new HashMap<>();
        readAll(record -> {
            JsonNode document = record.value() == null ? null : document(record);
            String refusal = document == null ? null : WorkFolderFormat.DEAD_LETTER.refusal(document);
            letters.remove(record.key());
            newer.remove(record.key());
            if (document != null && selected.test(document.path("deadLetter"))) {
                if (refusal == null) {
                    letters.put(record.key(), new Place(record.partition(), record.offset()));
                } else {
                    newer.put(record.key(), refusal);
                }
            }
        });
        if (!newer.isEmpty()) {
            LOG.warn("Replay: {} of the dead letters selected are left in Kafka topic {}, for the release that wrote"
                    + " them to replay: each was {}", newer.size(), topic, newer.values().iterator().next());
        }
        return letters;
    }

    /** Gives each record of the topic with a key, from its start to its end as it is now, to {@code each}. */
    private void readAll(java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Properties settings = clients.consumer();
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (Consumer<String, byte[]> reader = new KafkaConsumer<>(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            KafkaTopics.readFromStart(reader, topic, timeoutMillis, record -> {
                if (record.key() != null) {
                    each.accept(record);
                }
            });
        }
    }

    /** The record's document; null, logged, when it is not JSON. */
    private JsonNode document(ConsumerRecord<String, byte[]> record) {
        try {
            return mapper.readTree(record.value());
        } catch (IOException unreadable) {
            LOG.warn("Dead letter {} ({}-{}@{}) is not JSON; left where it is", record.key(), record.topic(),
                    record.partition(), record.offset());
            return null;
        }
    }

    private static long timeOf(JsonNode deadLetter) {
        try {
            return Instant.parse(deadLetter.path("time").asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            return Long.MIN_VALUE;
        }
    }
}
