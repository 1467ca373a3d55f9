package io.github.segmentld.launchdarkly;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch LaunchDarkly will not take into a dead-letter file, and says so loudly. The file is a Segment batch
 * object ({@code {"batch": [the Segment events]}}) with a {@code deadLetter} section (time, destination, payload ID,
 * HTTP status, response body, reason, attempts) and the {@code launchDarklyEvents} that were sent, so replaying it is
 * moving it into the inbox: the inbox reads it as a batch and ignores the other sections.
 */
public class DeadLetterRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecorder.class);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final ObjectMapper mapper;
    private final PipelineMetrics metrics;
    private final Clock clock;

    public DeadLetterRecorder(ObjectMapper mapper, PipelineMetrics metrics, Clock clock) {
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Replaces the message with the dead-letter file's content and names the file. */
    public void prepare(Exchange exchange) throws JsonProcessingException {
        LaunchDarklyBatch batch = exchange.getProperty(DeliveryRecords.BATCH, LaunchDarklyBatch.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Instant now = clock.instant();
        int status = cause instanceof HttpOperationFailedException failed ? failed.getStatusCode() : 0;
        String reason = reason(status, cause, batch);

        ObjectNode file = mapper.createObjectNode();
        ObjectNode deadLetter = file.putObject("deadLetter");
        deadLetter.put("time", now.toString());
        deadLetter.put("destination", batch.destination().name());
        deadLetter.put("payloadId", batch.payloadId());
        deadLetter.put("status", status);
        deadLetter.put("responseBody", cause instanceof HttpOperationFailedException failed ? failed.getResponseBody() : null);
        deadLetter.put("reason", reason);
        deadLetter.put("attempts", 1 + exchange.getProperty(DeliveryRecords.REDELIVERIES, 0, Integer.class));
        ArrayNode sent = file.putArray("launchDarklyEvents");
        ArrayNode segmentEvents = file.putArray("batch");
        for (LaunchDarklyEvent event : batch.events()) {
            sent.add(event.json());
            segmentEvents.add(event.source().json());
        }

        String fileName = FILE_TIME.format(now) + "-" + batch.payloadId() + ".json";
        exchange.getIn().setBody(mapper.writeValueAsBytes(file));
        exchange.getIn().setHeader(Exchange.FILE_NAME, fileName);
        metrics.deadLettered(batch.destination().name(), status == 0 ? "none" : Integer.toString(status), batch.size());
        LOG.error("DEAD-LETTERED batch {} ({} events) for {}: {}. Written to {}; move it into the inbox to replay it.",
                batch.payloadId(), batch.size(), batch.destination(), reason, fileName);
    }

    private static String reason(int status, Exception cause, LaunchDarklyBatch batch) {
        return switch (status) {
            case 401, 403, 404 -> "LaunchDarkly answered " + status + ": the client-side ID "
                    + batch.destination().maskedClientSideId()
                    + " of destination '" + batch.destination().name() + "' is almost certainly wrong (check it against"
                    + " LaunchDarkly's account settings; GET /launchdarkly/settings-check tests it)";
            case 413 -> "LaunchDarkly answered 413: this single event is larger than LaunchDarkly accepts";
            default -> status == 0 || status >= 500 || status == 408 || status == 429
                    ? "delivery kept failing until the redelivery policy gave up: " + DeliveryRecords.describe(cause)
                    : "LaunchDarkly refused the batch permanently: " + DeliveryRecords.describe(cause);
        };
    }
}
