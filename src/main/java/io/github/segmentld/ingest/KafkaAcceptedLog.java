package io.github.segmentld.ingest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP sources' durable log on Kafka (kafka.http-topic): each accepted event a record keyed by its user, so that
 * one user's events stay in order on one partition, produced idempotently with acks=all; the request is answered 200
 * only once the broker has acknowledged every event of it. A broker that does not within kafka.produce-timeout-ms
 * gets the request answered 503 with Retry-After, never a 200 for an event not stored. The producer is Kafka's own
 * client, with the settings of Camel's Kafka component (security included), since the answer must wait for the
 * acknowledgement of a whole request's records together.
 * <p>
 * As the spool does, it remembers the messageIds it has stored most recently (in memory, http.recent-message-ids): a
 * client's retry of an event stored already, even of a request answered 503 because only some of its events were
 * acknowledged, is answered without being stored twice. An event whose messageId another request is storing waits for
 * that one's outcome.
 */
public class KafkaAcceptedLog extends ServiceSupport implements AcceptedEventsLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAcceptedLog.class);
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 60_000;

    private final Properties settings;
    private final RecentMessageIds recent;
    private final Set<String> storing = new HashSet<>();
    private final String topic;
    private final long timeoutMillis;
    private final int retryAfterSeconds;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private volatile Producer<String, byte[]> producer;
    private volatile long unavailableLoggedAt = -UNAVAILABLE_LOG_INTERVAL_MILLIS;

    /**
     * @param settings         the producer's settings: durable, failing within {@code timeoutMillis}
     * @param recentMessageIds how many messageIds are remembered at most, and in how many bytes
     */
    public KafkaAcceptedLog(Properties settings, String topic, long timeoutMillis, int retryAfterSeconds,
                            int recentMessageIds, long recentMessageIdsMaxBytes, PipelineMetrics metrics, Clock clock) {
        this.settings = new Properties();
        this.settings.putAll(settings);
        this.settings.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        this.recent = new RecentMessageIds(recentMessageIds, recentMessageIdsMaxBytes);
        this.topic = topic;
        this.timeoutMillis = timeoutMillis;
        this.retryAfterSeconds = retryAfterSeconds;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    protected void doStart() {
        producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    protected void doStop() {
        if (producer != null) {
            producer.close();
        }
    }

    @Override
    public void append(AcceptedEvents accepted) {
        long deadline = clock.millis() + timeoutMillis;
        List<String> requested = accepted.events().stream()
                .map(event -> RecentMessageIds.key(accepted.sender(), event.messageId())).toList();
        List<AcceptedEvents.Event> fresh = new ArrayList<>(requested.size());
        List<String> keys = new ArrayList<>(requested.size());
        synchronized (storing) {
            while (requested.stream().anyMatch(storing::contains)) {
                awaitOther(deadline);
            }
            for (int i = 0; i < requested.size(); i++) {
                AcceptedEvents.Event event = accepted.events().get(i);
                if (recent.contains(requested.get(i)) || keys.contains(requested.get(i))) {
                    metrics.filtered("duplicate_message_id", event.type(), 1);
                } else {
                    fresh.add(event);
                    keys.add(requested.get(i));
                }
            }
            storing.addAll(keys);
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(fresh.size());
        List<String> stored = new ArrayList<>(fresh.size());
        Throwable failure = null;
        try {
            for (AcceptedEvents.Event event : fresh) {
                sent.add(producer.send(new ProducerRecord<>(topic, event.user().isEmpty() ? null : event.user(),
                        event.json())));
            }
        } catch (KafkaException e) {
            failure = e;
        }
        // every acknowledgement is awaited, so that what was stored is remembered even when the request fails
        for (int i = 0; i < sent.size(); i++) {
            try {
                sent.get(i).get(Math.max(1, deadline - clock.millis()), TimeUnit.MILLISECONDS);
                stored.add(keys.get(i));
            } catch (ExecutionException | TimeoutException e) {
                failure = failure != null ? failure : e instanceof ExecutionException ? e.getCause() : e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = e;
                break;
            }
        }
        synchronized (storing) {
            stored.forEach(recent::add);
            keys.forEach(storing::remove);
            storing.notifyAll();
        }
        if (failure != null) {
            throw unavailable(failure);
        }
    }

    /** Waits for another request storing one of the same messageIds; past the deadline, the request is refused. */
    private void awaitOther(long deadline) {
        long left = deadline - clock.millis();
        if (left <= 0) {
            throw unavailable(new TimeoutException("another request with the same messageId is still being stored"));
        }
        try {
            storing.wait(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
    }

    private RefusedRequestException unavailable(Throwable cause) {
        metrics.throttled();
        long now = clock.millis();
        if (now - unavailableLoggedAt >= UNAVAILABLE_LOG_INTERVAL_MILLIS) {
            unavailableLoggedAt = now;
            LOG.error("Cannot store events in Kafka topic {} ({}): requests are answered 503 with Retry-After {} s until"
                    + " it can (logged at most once a minute)", topic, cause.getMessage(), retryAfterSeconds);
        }
        return new RefusedRequestException(503, "the events could not be stored; try again later", retryAfterSeconds);
    }
}
