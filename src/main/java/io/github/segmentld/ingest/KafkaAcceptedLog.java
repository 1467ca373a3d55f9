package io.github.segmentld.ingest;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
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
 */
public class KafkaAcceptedLog extends ServiceSupport implements AcceptedEventsLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAcceptedLog.class);
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 60_000;

    private final Properties settings;
    private final String topic;
    private final long timeoutMillis;
    private final int retryAfterSeconds;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private volatile Producer<String, byte[]> producer;
    private volatile long unavailableLoggedAt = -UNAVAILABLE_LOG_INTERVAL_MILLIS;

    /** @param settings the producer's settings: Camel's Kafka component's, with the brokers */
    public KafkaAcceptedLog(Properties settings, String topic, long timeoutMillis, int retryAfterSeconds,
                            PipelineMetrics metrics, Clock clock) {
        this.settings = new Properties();
        this.settings.putAll(settings);
        this.settings.put(ProducerConfig.ACKS_CONFIG, "all");
        this.settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        this.settings.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        // a broker that is down fails the request within the timeout rather than holding it
        this.settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMillis));
        this.settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMillis));
        this.settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(timeoutMillis + 2));
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
        List<Future<RecordMetadata>> sent = new ArrayList<>(accepted.events().size());
        try {
            for (AcceptedEvents.Event event : accepted.events()) {
                sent.add(producer.send(new ProducerRecord<>(topic, event.user().isEmpty() ? null : event.user(),
                        event.json())));
            }
            for (Future<RecordMetadata> acknowledged : sent) {
                acknowledged.get(Math.max(1, deadline - clock.millis()), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw unavailable(e instanceof ExecutionException ? e.getCause() : e);
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
