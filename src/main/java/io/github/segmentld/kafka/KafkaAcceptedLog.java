package io.github.segmentld.kafka;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.ingest.AcceptedEvents;
import io.github.segmentld.ingest.AcceptedEventsLog;
import io.github.segmentld.ingest.MessageIdDedupe;
import io.github.segmentld.ingest.RefusedEvents;
import io.github.segmentld.ingest.RefusedRequestException;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.kafka.KafkaClients;
import io.github.segmentld.kafka.KafkaTopics;
import io.github.segmentld.store.StateUnavailableException;
import io.github.segmentld.time.Ticker;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP sources' durable log on Kafka (kafka.http-topic): each accepted event a record keyed by its user, so that
 * one user's events stay in order on one partition, produced idempotently with acks=all; the request is answered 200
 * only once the broker has acknowledged every event of it, and the request's refused events are recorded. A broker that does not within kafka.produce-timeout-ms
 * gets the request answered 503 with Retry-After, never a 200 for an event not stored. The producer is Kafka's own
 * client, with the settings of Camel's Kafka component (security included), since the answer must wait for the
 * acknowledgement of a whole request's records together.
 * <p>
 * As the spool does, it remembers the messageIds stored most recently (http.recent-message-ids): a client's retry of
 * an event stored already, even of a request answered 503 because only some of its events were acknowledged, is
 * answered without being stored twice. An event whose messageId another request is storing waits for that one's
 * outcome. Each record carries its source and messageId as headers, and at start the messageIds of the topic's latest
 * records are remembered, whichever instance stored them, so that a retry after a restart is recognised too.
 */
public class KafkaAcceptedLog extends ServiceSupport implements AcceptedEventsLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAcceptedLog.class);
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 60_000;

    private static final String SOURCE = "source";
    private static final String MESSAGE_ID = "messageId";

    private final KafkaClients clients;
    private final MessageIdDedupe dedupe;
    private final int maxRecent;
    private final String topic;
    private final long timeoutMillis;
    private final int retryAfterSeconds;
    private final RefusedEvents refusals;
    private final PipelineMetrics metrics;
    private final Ticker ticker;
    private volatile Producer<String, byte[]> producer;
    private volatile long unavailableLoggedAt;

    /**
     * @param recentMessageIds how many messageIds are remembered at most, and in how many bytes
     * @param refusals         records the events a request had refused, once its accepted ones are stored
     */
    public KafkaAcceptedLog(KafkaClients clients, String topic, long timeoutMillis, int retryAfterSeconds,
                            int recentMessageIds, long recentMessageIdsMaxBytes, RefusedEvents refusals,
                            PipelineMetrics metrics, Ticker ticker) {
        this.clients = clients;
        this.dedupe = new MessageIdDedupe(recentMessageIds, recentMessageIdsMaxBytes, metrics);
        this.maxRecent = recentMessageIds;
        this.topic = topic;
        this.timeoutMillis = timeoutMillis;
        this.retryAfterSeconds = retryAfterSeconds;
        this.refusals = refusals;
        this.metrics = metrics;
        this.ticker = ticker;
        this.unavailableLoggedAt = ticker.millis() - UNAVAILABLE_LOG_INTERVAL_MILLIS;
    }

    @Override
    protected void doStart() {
        Properties settings = clients.durableProducer(timeoutMillis);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        rememberRecentMessageIds();
    }

    /**
     * Remembers the messageIds of the topic's latest records, as many as are remembered at all, spread over its
     * partitions. A broker that does not answer leaves them unremembered, with a warning, rather than stop the start.
     */
    private void rememberRecentMessageIds() {
        Properties settings = clients.consumer();
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Duration timeout = Duration.ofMillis(timeoutMillis);
        try (Consumer<byte[], byte[]> reader = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, Long> begins = reader.beginningOffsets(partitions, timeout);
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions, timeout);
            long each = maxRecent / partitions.size() + 1;
            reader.assign(partitions);
            partitions.forEach(partition -> reader.seek(partition,
                    Math.max(begins.get(partition), ends.get(partition) - each)));
            KafkaTopics.readUpTo(reader, ends, timeoutMillis, record -> {
                Header source = record.headers().lastHeader(SOURCE);
                Header messageId = record.headers().lastHeader(MESSAGE_ID);
                if (source != null && messageId != null) {
                    dedupe.remember(text(source), text(messageId));
                }
            });
            LOG.info("Remembering {} recent messageIds from Kafka topic {}", dedupe.remembered(), topic);
        } catch (KafkaException e) {
            LOG.warn("The recent messageIds of Kafka topic {} could not be read ({}): a client's retry of an event"
                    + " stored before this start is stored again", topic, e.getMessage());
        }
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    protected void doStop() {
        if (producer != null) {
            producer.close();
        }
    }

    @Override
    public void append(AcceptedEvents accepted) {
        long deadline = ticker.millis() + timeoutMillis;
        MessageIdDedupe.Claim claim;
        try {
            // a messageId of this request in another one still being stored: that one's outcome decides
            claim = dedupe.claim(accepted, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        } catch (MessageIdDedupe.StillClaimedException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
        List<AcceptedEvents.Event> fresh = claim.fresh();
        List<Future<RecordMetadata>> sent = new ArrayList<>(fresh.size());
        List<AcceptedEvents.Event> stored = new ArrayList<>(fresh.size());
        Throwable failure = null;
        try {
            for (AcceptedEvents.Event event : fresh) {
                Headers headers = new RecordHeaders()
                        .add(SOURCE, accepted.sender().getBytes(StandardCharsets.UTF_8))
                        .add(MESSAGE_ID, event.messageId().getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(new ProducerRecord<>(topic, null, event.user().isEmpty() ? null : event.user(),
                        event.json(), headers)));
            }
        } catch (KafkaException e) {
            failure = e;
        }
        // every acknowledgement is awaited, so that what was stored is remembered even when the request fails
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get(Math.max(1, deadline - ticker.millis()), TimeUnit.MILLISECONDS);
                stored.add(fresh.get(i));
            } catch (ExecutionException | TimeoutException e) {
                failure = failure != null ? failure : e instanceof ExecutionException ? e.getCause() : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
                break;
            }
        }
        claim.settle(stored);
        if (failure != null) {
            throw unavailable(failure);
        }
        if (!accepted.refused().isEmpty()) {
            try {
                refusals.record(accepted.refused());
            } catch (UncheckedIOException | StateUnavailableException e) {
                throw unavailable(e);
            }
        }
    }

    private RefusedRequestException unavailable(Throwable cause) {
        metrics.throttled();
        long now = ticker.millis();
        if (now - unavailableLoggedAt >= UNAVAILABLE_LOG_INTERVAL_MILLIS) {
            unavailableLoggedAt = now;
            LOG.error("Cannot store events in Kafka topic {} ({}): requests are answered 503 with Retry-After {} s until"
                    + " it can (logged at most once a minute)", topic, cause.getMessage(), retryAfterSeconds);
        }
        return new RefusedRequestException(503, "the events could not be stored; try again later", retryAfterSeconds);
    }
}
