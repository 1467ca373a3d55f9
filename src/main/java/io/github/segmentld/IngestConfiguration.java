package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.deliverylog.DeliveryLog;
import io.github.segmentld.ingest.AcceptedEventsLog;
import io.github.segmentld.ingest.DoneRetention;
import io.github.segmentld.ingest.InputIdentities;
import io.github.segmentld.kafka.KafkaAcceptedLog;
import io.github.segmentld.kafka.KafkaChunks;
import io.github.segmentld.kafka.KafkaSourceComponent;
import io.github.segmentld.ingest.RefusedEvents;
import io.github.segmentld.ingest.SegmentFileReader;
import io.github.segmentld.ingest.SegmentRequestReader;
import io.github.segmentld.ingest.Spool;
import io.github.segmentld.ingest.WebhookAuthentication;
import io.github.segmentld.ingest.WriteKeys;
import io.github.segmentld.jms.JmsChunks;
import io.github.segmentld.jms.JmsConnections;
import io.github.segmentld.jms.JmsPlans;
import io.github.segmentld.jms.JmsQueueSource;
import io.github.segmentld.jms.JmsSourceComponent;
import io.github.segmentld.launchdarkly.LegacyInputRecords;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.StateDatabase;
import io.github.segmentld.kafka.KafkaClients;
import io.github.segmentld.time.Ticker;
import io.github.segmentld.undelivered.RejectionRecorder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;

/**
 * The beans of the sources: the inbox's reader and retention, the Kafka and JMS sources, the HTTP sources'
 * authentication, reader and spool. Each is named after its method and made when first needed; its
 * {@code @PropertyInject} parameters are keys documented in {@code application.properties}.
 */
@Configuration
public class IngestConfiguration {

    @BindToRegistry(lazy = true)
    public SegmentFileReader segmentFileReader(
            @PropertyInject("pipeline.chunk-size") int chunkSize,
            @PropertyInject("inbox.max-line-bytes") int maxLineBytes,
            @PropertyInject("inbox.progress-interval-seconds") long progressSeconds,
            @PropertyInject("pipeline.concurrency") int concurrency,
            DeliveryLedger ledger, DestinationInstances instances) {
        // the workers, their queue and the reading thread, which runs a chunk itself when the queue is full
        int chunksInFlight = 2 * concurrency + 1;
        InputIdentities identities = new InputIdentities(
                new LegacyInputRecords(ledger, instances.destinations(), chunksInFlight));
        return new SegmentFileReader(new ObjectMapper(), chunkSize, maxLineBytes, Duration.ofSeconds(progressSeconds),
                identities);
    }

    @BindToRegistry(lazy = true)
    public KafkaChunks kafkaChunks(@PropertyInject("pipeline.chunk-size") int chunkSize,
                                   @PropertyInject("kafka.max-record-bytes") int maxRecordBytes) {
        return new KafkaChunks(new ObjectMapper(), chunkSize, maxRecordBytes);
    }

    /** The Kafka source's endpoints ({@code kafka-source:<topics>}, routes/ingest-kafka.yaml). */
    @BindToRegistry(value = "kafka-source", lazy = true)
    public KafkaSourceComponent kafkaSource(@PropertyInject("kafka.group-id") String groupId,
                                            @PropertyInject("kafka.consumers") int consumers,
                                            @PropertyInject("kafka.max-poll-records") int maxPollRecords,
                                            @PropertyInject("pipeline.concurrency") int concurrency,
                                            @PropertyInject("kafka.retry-delay-ms") long retryDelayMillis,
                                            KafkaClients clients, KafkaChunks kafkaChunks) {
        return new KafkaSourceComponent(clients, kafkaChunks,
                new KafkaSourceComponent.Settings(groupId, consumers, maxPollRecords, concurrency, retryDelayMillis));
    }

    @BindToRegistry(lazy = true)
    public JmsChunks jmsChunks(@PropertyInject("pipeline.chunk-size") int chunkSize,
                               @PropertyInject("jms.max-message-bytes") int maxMessageBytes) {
        return new JmsChunks(new ObjectMapper(), chunkSize, maxMessageBytes);
    }

    /**
     * The JMS source's endpoints ({@code jms-source:<queues>}, routes/ingest-jms.yaml), connected as jms.protocol says;
     * the user and password come from the environment (JMS_USER, JMS_PASSWORD).
     */
    @BindToRegistry(value = "jms-source", lazy = true)
    public JmsSourceComponent jmsSource(@PropertyInject("jms.protocol") String protocol,
                                        @PropertyInject("jms.broker-url") String brokerUrl,
                                        @PropertyInject("jms.user") String user,
                                        @PropertyInject("jms.password") String password,
                                        @PropertyInject("jms.acknowledge") String acknowledge,
                                        @PropertyInject("pipeline.chunk-size") int chunkSize,
                                        @PropertyInject("pipeline.concurrency") int concurrency,
                                        @PropertyInject("jms.max-message-bytes") int maxMessageBytes,
                                        @PropertyInject("jms.chunk-wait-ms") long chunkWaitMillis,
                                        @PropertyInject("jms.retry-delay-ms") long retryDelayMillis,
                                        @PropertyInject("jms.regroup-wait-ms") long regroupMillis,
                                        StateDatabase state) {
        return new JmsSourceComponent(() -> new JmsConnections(protocol, brokerUrl, user, password, acknowledge),
                new JmsPlans(state),
                new JmsQueueSource.Settings(chunkSize, concurrency, maxMessageBytes, chunkWaitMillis, retryDelayMillis,
                        regroupMillis));
    }

    @BindToRegistry(lazy = true)
    public DoneRetention doneRetention(@PropertyInject("inbox.dir") String inbox,
                                       @PropertyInject("inbox.done-dir") String doneDir,
                                       @PropertyInject("inbox.done-retention-hours") long retentionHours,
                                       @PropertyInject("inbox.done-max-bytes") long maxBytes,
                                       @PropertyInject("inbox.done-min-free-bytes") long minFreeBytes, Clock clock) {
        return new DoneRetention(Path.of(inbox).resolve(doneDir).normalize(), Duration.ofHours(retentionHours),
                maxBytes, minFreeBytes, clock);
    }

    @BindToRegistry(lazy = true)
    public WriteKeys writeKeys(@PropertyInject("http.write-keys") String keys,
                               @PropertyInject("http.auth-enabled") boolean required) {
        return new WriteKeys(keys, required);
    }

    @BindToRegistry(lazy = true)
    public WebhookAuthentication webhookAuthentication(
            @PropertyInject("http.webhook-token") String token,
            @PropertyInject("http.webhook-token-header") String tokenHeader,
            @PropertyInject("http.webhook-secret") String secret,
            @PropertyInject("http.webhook-signed-arrays-allowed") boolean signedArraysAllowed) {
        return new WebhookAuthentication(token, tokenHeader, secret, signedArraysAllowed);
    }

    @BindToRegistry(lazy = true)
    public SegmentRequestReader segmentRequestReader(
            @PropertyInject("http.max-request-bytes") int maxRequestBytes,
            @PropertyInject("http.max-event-bytes") int maxEventBytes,
            @PropertyInject("http.max-batch-events") int maxBatchEvents,
            @PropertyInject("http.max-nesting-depth") int maxNestingDepth,
            @PropertyInject("http.max-string-length") int maxStringLength, Clock clock) {
        return new SegmentRequestReader(maxRequestBytes, maxEventBytes, maxBatchEvents, maxNestingDepth,
                maxStringLength, clock);
    }

    /**
     * Where the HTTP sources' durable log records the events a request had refused: with the rejections (durably,
     * a request's together) and in the delivery log (for people).
     */
    @BindToRegistry(lazy = true)
    public RefusedEvents refusedEvents(RejectionRecorder rejections, DeliveryLog deliveryLog) {
        return refused -> {
            rejections.refuse(refused);
            refused.forEach(r -> deliveryLog.refused(r.source(), r.position(), r.reason(), r.raw()));
        };
    }

    /** Where accepted HTTP events wait, as files, for the inbox; a service of the context, stopped with it. */
    @BindToRegistry(lazy = true)
    public Spool spool(@PropertyInject("spool.dir") String spoolDir,
                       @PropertyInject("inbox.dir") String inbox,
                       @PropertyInject("inbox.done-dir") String doneDir,
                       @PropertyInject("spool.max-segment-bytes") long maxSegmentBytes,
                       @PropertyInject("spool.max-segment-age-ms") long maxSegmentAgeMs,
                       @PropertyInject("spool.max-backlog-bytes") long maxBacklogBytes,
                       @PropertyInject("spool.min-free-bytes") long minFreeBytes,
                       @PropertyInject("spool.retry-after-seconds") int retryAfterSeconds,
                       @PropertyInject("http.recent-message-ids") int recentMessageIds,
                       @PropertyInject("http.recent-message-ids-max-bytes") long recentMessageIdsMaxBytes,
                       RefusedEvents refusedEvents, PipelineMetrics metrics, Clock clock, CamelContext context)
            throws Exception {
        Path inboxDir = Path.of(inbox);
        Spool spool = new Spool(new Spool.Settings(Path.of(spoolDir), inboxDir, inboxDir.resolve(doneDir).normalize(),
                maxSegmentBytes, maxSegmentAgeMs, maxBacklogBytes, minFreeBytes, retryAfterSeconds,
                recentMessageIds, recentMessageIdsMaxBytes), refusedEvents, metrics, clock);
        context.addService(spool);
        return spool;
    }

    /**
     * Where the HTTP sources store what they accept before answering: the spool, or with kafka.http-topic set, that
     * Kafka topic (a service of the context, its producer closed with it).
     */
    @BindToRegistry(lazy = true)
    public AcceptedEventsLog acceptedEventsLog(@PropertyInject("kafka.http-topic") String topic,
                                               @PropertyInject("kafka.produce-timeout-ms") long timeoutMillis,
                                               @PropertyInject("spool.retry-after-seconds") int retryAfterSeconds,
                                               @PropertyInject("http.recent-message-ids") int recentMessageIds,
                                               @PropertyInject("http.recent-message-ids-max-bytes") long recentBytes,
                                               Spool spool, KafkaClients clients, RefusedEvents refusedEvents,
                                               PipelineMetrics metrics, Ticker ticker, CamelContext context)
            throws Exception {
        if (topic.isBlank()) {
            return spool;
        }
        KafkaAcceptedLog log = new KafkaAcceptedLog(clients, topic, timeoutMillis, retryAfterSeconds, recentMessageIds,
                recentBytes, refusedEvents, metrics, ticker);
        context.addService(log);
        return log;
    }
}
