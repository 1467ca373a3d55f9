package io.github.segmentld.undelivered;

import java.time.Clock;
import java.util.Base64;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.launchdarkly.BatchDocument;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.launchdarkly.RedeliveryLogger;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.kafka.KafkaDeadLetters;
import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.WorkFolderFormat;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch LaunchDarkly will not take into a dead-letter file, and says so loudly. The file is a Segment batch
 * object ({@code {"batch": [the Segment events]}}) with its format version first
 * ({@link WorkFolderFormat#DEAD_LETTER}), a {@code deadLetter} section (time, destination, payload ID, HTTP status,
 * response body, reason, attempts) and the {@code launchDarklyEvents} that were sent, so replaying it is
 * moving it into the inbox: the inbox reads it as a batch and ignores the other sections. The file is named by the
 * payload ID, so a batch dead-lettered again after a crash overwrites its file instead of adding a second one. With
 * the dead letters on Kafka, the same document is the record, keyed by the payload ID ({@link KafkaDeadLetters}).
 * <p>
 * A parked batch whose stored document cannot be read is dead-lettered as it is stored: the {@code deadLetter}
 * section with the reason, and the stored bytes (a deflated JSON document) in base64 as {@code parkedDocument}, for
 * whoever can mend it.
 */
public class DeadLetterRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final ObjectMapper mapper;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final String deadLetterTopic;

    /** @param deadLetterTopic the Kafka topic the dead letters go to; null for the dead-letter folder */
    public DeadLetterRecorder(ObjectMapper mapper, PipelineMetrics metrics, Clock clock, String deadLetterTopic) {
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
        this.deadLetterTopic = deadLetterTopic;
    }

    /** Replaces the message with the dead letter's document, and names it by its payload ID. */
    public void prepare(Exchange exchange) throws JsonProcessingException {
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int status = cause instanceof HttpOperationFailedException failed ? failed.getStatusCode() : 0;
        String reason = exchange.getProperty(FailureDescriptions.DEAD_LETTER_REASON, String.class);
        if (reason == null) {
            throw new IllegalStateException("batch " + batch.payloadId() + " was sent to the dead letters without a reason");
        }
        int attempts = (batch.retry() == null ? 0 : batch.retry().attempts())
                + (cause == null ? 0 : 1 + exchange.getProperty(RedeliveryLogger.REDELIVERIES, 0, Integer.class));

        ObjectNode file = mapper.createObjectNode();
        file.put(WorkFolderFormat.FIELD, WorkFolderFormat.DEAD_LETTER.version());
        ObjectNode deadLetter = file.putObject("deadLetter");
        deadLetter.put("time", clock.instant().toString());
        deadLetter.put("destination", batch.destination().name());
        deadLetter.put("payloadId", batch.payloadId());
        deadLetter.put("status", status);
        deadLetter.put("responseBody", cause instanceof HttpOperationFailedException failed ? failed.getResponseBody() : null);
        deadLetter.put("reason", reason);
        deadLetter.put("attempts", attempts);
        BatchDocument.write(batch, file, false);

        String fileName = batch.payloadId() + ".json";
        exchange.getIn().setBody(mapper.writeValueAsBytes(file));
        exchange.getIn().setHeader(Exchange.FILE_NAME, fileName);
        exchange.getIn().setHeader(KafkaDeadLetters.PAYLOAD_ID, batch.payloadId());
        metrics.deadLettered(batch.destination().name(), status == 0 ? "none" : Integer.toString(status), batch.size());
        if (!batch.isQueued()) {
            // a queued batch counted as failed when it was parked
            metrics.failed(batch.destination().name(), batch.eventsByMapping(), reason);
        }
        LOG.error("DEAD-LETTERED batch {} ({} events) for {}: {}. {}", batch.payloadId(), batch.size(),
                batch.destination(), reason, deadLetterTopic == null
                        ? "Written to " + fileName + "; move it into the inbox to replay it."
                        : "Written to Kafka topic " + deadLetterTopic + "; replay it through /delivery/api/replay.");
    }

    /** Replaces the message with the dead letter of a parked batch whose document cannot be read, as it is stored. */
    public void prepareDamaged(@ExchangeProperty(RetryQueue.DAMAGED) RetryQueue.DamagedBatch damaged, Exchange exchange)
            throws JsonProcessingException {
        Parked parked = damaged.parked();
        ObjectNode file = mapper.createObjectNode();
        file.put(WorkFolderFormat.FIELD, WorkFolderFormat.DEAD_LETTER.version());
        ObjectNode deadLetter = file.putObject("deadLetter");
        deadLetter.put("time", clock.instant().toString());
        deadLetter.put("destination", parked.destination());
        deadLetter.put("payloadId", parked.payloadId());
        deadLetter.put("status", 0);
        deadLetter.putNull("responseBody");
        deadLetter.put("reason", damaged.reason());
        deadLetter.put("attempts", parked.attempts());
        deadLetter.put("events", parked.events());
        deadLetter.put("lastFailure", parked.lastFailure());
        file.put("parkedDocument", Base64.getEncoder().encodeToString(parked.document()));

        String fileName = parked.payloadId() + ".json";
        exchange.getIn().setBody(mapper.writeValueAsBytes(file));
        exchange.getIn().setHeader(Exchange.FILE_NAME, fileName);
        exchange.getIn().setHeader(KafkaDeadLetters.PAYLOAD_ID, parked.payloadId());
        metrics.deadLettered(parked.destination(), "none", parked.events());
        LOG.error("DEAD-LETTERED parked batch {} ({} events) for destination '{}': {}. Its stored bytes are written, in"
                + " base64, to {}", parked.payloadId(), parked.events(), parked.destination(), damaged.reason(),
                deadLetterTopic == null ? fileName : "Kafka topic " + deadLetterTopic);
    }
}
