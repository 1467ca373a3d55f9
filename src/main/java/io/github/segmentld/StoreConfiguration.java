package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.AcceptedSignatures;
import io.github.segmentld.store.DeadLetterFolder;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.kafka.KafkaClients;
import io.github.segmentld.kafka.KafkaDeadLetters;
import io.github.segmentld.kafka.KafkaRetryQueues;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.store.StateDatabase;
import io.github.segmentld.store.StateDatabaseHealthCheck;
import io.github.segmentld.time.Ticker;
import io.github.segmentld.undelivered.DeadLetterRecorder;
import io.github.segmentld.undelivered.FailedInputRecorder;
import io.github.segmentld.undelivered.InputRetries;
import io.github.segmentld.undelivered.RejectionRecorder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.kafka.KafkaComponent;

/**
 * The state database and its stores, and the stores of what was not delivered. Each bean is named after its method and
 * made when first needed, so the database opens before the stores that use it, and, as a service of the context,
 * closes after them; the {@code @PropertyInject} parameters are keys documented in {@code application.properties}.
 */
@Configuration
public class StoreConfiguration {

    /** How many inbox files waiting to be read again are remembered at most: far more than an inbox holds at once. */
    private static final int REMEMBERED_RETRIES = 10_000;

    @BindToRegistry(lazy = true)
    public StateDatabase stateDatabase(@PropertyInject("store.ledger-file") String file,
                                       @PropertyInject("store.write-timeout-ms") long writeTimeoutMillis,
                                       Clock clock, Ticker ticker, PipelineMetrics metrics, CamelContext context)
            throws Exception {
        StateDatabase state = new StateDatabase(Path.of(file), clock, ticker, Duration.ofMillis(writeTimeoutMillis));
        metrics.counter("state.database.writer.failures", state, StateDatabase::writerFailures);
        // opened at once: a database that cannot open stops the start before anything is accepted
        state.start();
        context.addService(state, true, false);
        return state;
    }

    @BindToRegistry(lazy = true)
    public StateDatabaseHealthCheck stateDatabaseHealthCheck(StateDatabase state) {
        return new StateDatabaseHealthCheck(state);
    }

    @BindToRegistry(lazy = true)
    public DeliveryLedger deliveryLedger(StateDatabase state, Clock clock,
                                         @PropertyInject("store.ledger-retention-hours") long retentionHours) {
        return new DeliveryLedger(state, clock, Duration.ofHours(retentionHours));
    }

    /**
     * The retry queues, in the state database; with the Kafka source on and kafka.retry-queue-topic set, shared with
     * the other instances of the group through that topic.
     */
    @BindToRegistry(lazy = true)
    public ParkedBatches parkedBatches(StateDatabase state, Clock clock,
                                       @PropertyInject("kafka.enabled") boolean kafka,
                                       @PropertyInject("kafka.retry-queue-topic") String topic,
                                       @PropertyInject("kafka.state-topic-partitions") int partitions,
                                       @PropertyInject("kafka.group-id") String groupId,
                                       @PropertyInject("kafka.produce-timeout-ms") long timeoutMillis,
                                       KafkaClients clients, CamelContext context) throws Exception {
        ParkedBatches parked = new ParkedBatches(state, clock);
        if (kafka && !topic.isBlank()) {
            KafkaRetryQueues shared = new KafkaRetryQueues(clients, topic, partitions, groupId + ".retry-queues",
                    timeoutMillis, parked);
            // shared from the start: no batch is parked here alone before the service starts
            parked.shareThrough(shared);
            context.addService(shared, true, false);
        }
        return parked;
    }

    @BindToRegistry(lazy = true)
    public AcceptedSignatures acceptedSignatures(StateDatabase state, Clock clock) {
        return new AcceptedSignatures(state, clock);
    }

    @BindToRegistry(lazy = true)
    public RejectionRecorder rejectionRecorder(@PropertyInject("store.rejected-dir") String dir, DeliveryLedger ledger,
                                               PipelineMetrics metrics, Clock clock, CamelContext context)
            throws Exception {
        RejectionRecorder rejections = new RejectionRecorder(Path.of(dir), ledger, new ObjectMapper(), metrics, clock);
        context.addService(rejections, true, false);
        return rejections;
    }

    @BindToRegistry(lazy = true)
    public FailedInputRecorder failedInputRecorder(@PropertyInject("inbox.dir") String inbox,
                                                   @PropertyInject("inbox.failed-dir") String failedDir,
                                                   InputRetries inputRetries, Clock clock) {
        return new FailedInputRecorder(Path.of(inbox), failedDir, inputRetries, clock);
    }

    /** The inbox files waiting to be read again after a failure that is not theirs; the inbox consumer's filter. */
    @BindToRegistry(lazy = true)
    public InputRetries inputRetries(@PropertyInject("inbox.retry-initial-delay-ms") long initialDelayMs,
                                     @PropertyInject("inbox.retry-max-delay-ms") long maxDelayMs, Ticker ticker) {
        return new InputRetries(Duration.ofMillis(initialDelayMs), Duration.ofMillis(maxDelayMs),
                Duration.ofMinutes(1), REMEMBERED_RETRIES, ticker);
    }

    @BindToRegistry(lazy = true)
    public DeadLetterRecorder deadLetterRecorder(PipelineMetrics metrics, Clock clock,
                                                 @PropertyInject("kafka.enabled") boolean kafka,
                                                 @PropertyInject("kafka.dead-letter-topic") String topic) {
        return new DeadLetterRecorder(new ObjectMapper(), metrics, clock, deadLetterTopic(kafka, topic));
    }

    @BindToRegistry(lazy = true)
    public DeadLetterFolder deadLetterFolder(@PropertyInject("store.dead-letter-dir") String dir) {
        return new DeadLetterFolder(Path.of(dir));
    }

    /** The dead letters on Kafka: made only when the dead-letter route or the replay needs them. */
    @BindToRegistry(lazy = true)
    public KafkaDeadLetters kafkaDeadLetters(@PropertyInject("kafka.dead-letter-topic") String topic,
                                             @PropertyInject("kafka.state-topic-partitions") int partitions,
                                             @PropertyInject("kafka.topics") String topics,
                                             @PropertyInject("kafka.group-id") String groupId,
                                             @PropertyInject("kafka.produce-timeout-ms") long timeoutMillis,
                                             KafkaClients clients, CamelContext context) throws Exception {
        KafkaDeadLetters letters = new KafkaDeadLetters(clients, topic, partitions, topics.split(",")[0].strip(),
                groupId + ".dead-letter-replay", timeoutMillis);
        context.addService(letters, true, false);
        return letters;
    }

    /** The Kafka settings of the clients the application makes itself. */
    @BindToRegistry(lazy = true)
    public KafkaClients kafkaClients(@PropertyInject("kafka.bootstrap-servers") String servers, CamelContext context) {
        return new KafkaClients(context.getComponent("kafka", KafkaComponent.class).getConfiguration(), servers);
    }

    /** The Kafka topic of the dead letters, or null when they go to store.dead-letter-dir. */
    static String deadLetterTopic(boolean kafka, String topic) {
        return kafka && !topic.isBlank() ? topic.strip() : null;
    }
}
