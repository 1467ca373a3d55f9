package io.github.segmentld.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.BatchEnvelope;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.Timestamps;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * Reads Segment's HTTP requests: calls of the Tracking API, and deliveries of Segment's webhooks ({@link
 * #readWebhook}). A Tracking API call is read the way Segment's servers do: any content type, gzip bodies, the
 * single-call paths implying the event type, a batch's context and integrations merged into its events; stamps
 * {@code receivedAt}, corrects {@code timestamp} for the client's clock ({@code receivedAt - (sentAt -
 * originalTimestamp)}) and gives events without one a {@code messageId}. The request's limits refuse it whole (400);
 * an event that breaks a per-event rule is refused on its own, with the reason, and the rest accepted; the refusals of
 * a request travel with its accepted events, to be recorded together when they are stored (the spool then accepts
 * each messageId of a source once). A body must be one JSON value in valid UTF-8 (no second value,
 * no bytes after it, no overlong encodings); a {@code writeKey} in it is removed before anything is stored.
 */
public class SegmentRequestReader {

    /** The header in which the route keeps the authenticated sender's source name. */
    public static final String SOURCE_HEADER = "segmentSource";

    /** The path after /v1/ → the type it implies (null: a batch). */
    private static final Map<String, String> CALLS = Map.ofEntries(
            Map.entry("track", "track"), Map.entry("t", "track"),
            Map.entry("identify", "identify"), Map.entry("i", "identify"),
            Map.entry("page", "page"), Map.entry("p", "page"),
            Map.entry("screen", "screen"), Map.entry("s", "screen"),
            Map.entry("group", "group"), Map.entry("g", "group"),
            Map.entry("alias", "alias"), Map.entry("a", "alias"));
    private static final List<String> BATCH_CALLS = List.of("batch", "b", "import");
    /** Segment's limit on a messageId. */
    static final int MAX_MESSAGE_ID_CHARS = 100;
    private static final int UTF8_CHECK_BLOCK = 8192;
    private static final String WRITE_KEY = "writeKey";

    private final ObjectMapper mapper;
    private final int maxRequestBytes;
    private final int maxEventBytes;
    private final int maxBatchEvents;
    private final Clock clock;

    public SegmentRequestReader(int maxRequestBytes, int maxEventBytes, int maxBatchEvents, int maxNestingDepth,
                             int maxStringLength, Clock clock) {
        this.mapper = new ObjectMapper(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth).maxStringLength(maxStringLength).build()).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.maxRequestBytes = maxRequestBytes;
        this.maxEventBytes = maxEventBytes;
        this.maxBatchEvents = maxBatchEvents;
        this.clock = clock;
    }

    /**
     * The request body, gzip-decoded, and no larger than the request limit (the HTTP server already bounds the raw
     * body by camel.server.max-body-size).
     */
    public byte[] readBody(@Header("Content-Type") String contentType, @Header("Content-Encoding") String contentEncoding,
                           byte[] body) {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new RefusedRequestException(415, "a form body is not accepted: send the JSON as application/json or"
                    + " text/plain");
        }
        byte[] raw = body == null ? new byte[0] : body;
        boolean gzip = "gzip".equalsIgnoreCase(contentEncoding)
                || raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b;
        if (!gzip) {
            if (raw.length > maxRequestBytes) {
                throw tooLarge();
            }
            return raw;
        }
        try (InputStream gunzipped = new GZIPInputStream(new ByteArrayInputStream(raw))) {
            byte[] decoded = gunzipped.readNBytes(maxRequestBytes + 1);
            if (decoded.length > maxRequestBytes) {
                throw tooLarge();
            }
            return decoded;
        } catch (IOException notGzip) {
            throw new RefusedRequestException(400, "the gzip body cannot be read: " + notGzip.getMessage());
        }
    }

    /** Parses the request; its events are read by {@link #acceptedEvents} once the sender is authenticated. */
    public TrackingApiRequest read(@Header(Exchange.HTTP_PATH) String path, byte[] body) {
        String call = callOf(path);
        if (!BATCH_CALLS.contains(call) && !CALLS.containsKey(call)) {
            throw new RefusedRequestException(404, "unknown path /v1/" + call);
        }
        JsonNode root = parse(body);
        if (!root.isObject()) {
            throw new RefusedRequestException(400, "the body must be a JSON object");
        }
        if (BATCH_CALLS.contains(call)) {
            JsonNode events = root.get("batch");
            if (events == null || !events.isArray()) {
                throw new RefusedRequestException(400, "a batch request needs a \"batch\" array");
            }
            if (events.size() > maxBatchEvents) {
                throw new RefusedRequestException(400, "the batch has " + events.size() + " events, over the limit of "
                        + maxBatchEvents);
            }
        }
        JsonNode writeKey = ((ObjectNode) root).remove(WRITE_KEY);
        return new TrackingApiRequest(call, (ObjectNode) root, writeKey != null && writeKey.isTextual()
                ? writeKey.textValue() : null);
    }

    /** The request's events that pass the per-event rules, stamped and written back as JSON for the spool. */
    public AcceptedEvents acceptedEvents(TrackingApiRequest request, @Header(SOURCE_HEADER) String sender) {
        Arrival receivedAt = new Arrival(clock.millis());
        InputSource source = new InputSource("POST /v1/" + request.call() + " from " + sender, "http", "item",
                receivedAt.millis);
        ObjectNode root = request.body();
        List<AcceptedEvents.Event> accepted = new ArrayList<>();
        List<Rejection> refused = new ArrayList<>();
        if (BATCH_CALLS.contains(request.call())) {
            Deque<SegmentEvent> expanded = new ArrayDeque<>();
            BatchEnvelope.expand(root, 0, expanded, source, (input, position, reason, raw) ->
                    refused.add(refusal(input, position, reason, raw)));
            long item = 0;
            for (SegmentEvent event : expanded) {
                accept(event.json(), null, e -> stamp(e, root.get("sentAt"), receivedAt), source, ++item, accepted,
                        refused);
            }
        } else {
            accept(root, CALLS.get(request.call()), e -> stamp(e, null, receivedAt), source, 1, accepted, refused);
        }
        return new AcceptedEvents(sender, accepted, refused);
    }

    /**
     * Reads a delivery of Segment's Webhooks destination: one event, or an array of them. The events come from
     * Segment's servers already stamped, so only the per-event rules (and a missing messageId) apply.
     */
    public AcceptedEvents readWebhook(byte[] body) {
        JsonNode root = parse(body);
        InputSource source = new InputSource("POST webhook", "webhook", "item", clock.millis());
        List<AcceptedEvents.Event> accepted = new ArrayList<>();
        List<Rejection> refused = new ArrayList<>();
        long item = 0;
        for (JsonNode event : root.isArray() ? root : List.of(root)) {
            item++;
            if (event.isObject()) {
                accept((ObjectNode) event, null, SegmentRequestReader::ensureMessageId, source, item, accepted, refused);
            } else {
                refused.add(refusal(source, item, "not a JSON object", BatchEnvelope.abbreviate(event.toString())));
            }
        }
        return new AcceptedEvents("webhook", accepted, refused);
    }

    /**
     * Applies the per-event rules; an event that passes gets the server-side fields ({@code stamp}) and is accepted
     * once, one that does not is refused with its reason. Whatever goes wrong with one event refuses that event only.
     */
    private void accept(ObjectNode event, String impliedType, Consumer<ObjectNode> stamp, InputSource source, long item,
                        List<AcceptedEvents.Event> accepted, List<Rejection> refused) {
        event.remove(WRITE_KEY);
        if (impliedType != null && !event.path("type").isTextual()) {
            event.put("type", impliedType);
        }
        String problem = problemWith(event);
        if (problem == null) {
            try {
                stamp.accept(event);
                byte[] bytes = mapper.writeValueAsBytes(event);
                if (bytes.length > maxEventBytes) {
                    problem = "the event is " + bytes.length + " bytes, over the limit of " + maxEventBytes;
                } else {
                    accepted.add(new AcceptedEvents.Event(event.get("messageId").asText(), event.path("type").asText(),
                            event.path("userId").asText(event.path("anonymousId").asText("")), bytes));
                    return;
                }
            } catch (IOException | RuntimeException unexpected) {
                problem = "the event cannot be read: " + unexpected;
            }
        }
        refused.add(refusal(source, item, problem, BatchEnvelope.abbreviate(event.toString())));
    }

    private static Rejection refusal(InputSource source, long item, String reason, String raw) {
        return new Rejection(Rejection.REFUSED_BY_API, source, item, reason, raw, null, null, null);
    }

    private static String problemWith(ObjectNode event) {
        JsonNode messageId = event.get("messageId");
        if (messageId != null && !messageId.isNull() && !messageId.isTextual() && !messageId.isIntegralNumber()) {
            return "the messageId must be a string, was " + messageId.getNodeType().toString().toLowerCase(Locale.ROOT);
        }
        if (messageId != null && messageId.asText().length() > MAX_MESSAGE_ID_CHARS) {
            return "the messageId is " + messageId.asText().length() + " characters, over Segment's limit of "
                    + MAX_MESSAGE_ID_CHARS;
        }
        String type = event.path("type").asText("");
        if (!SegmentEvent.TYPES.contains(type)) {
            return type.isEmpty() ? "the event has no type" : "unknown event type '" + type + "'";
        }
        if (!present(event.get("userId")) && !present(event.get("anonymousId"))) {
            return "the event has neither userId nor anonymousId";
        }
        if ("track".equals(type) && !present(event.get("event"))) {
            return "a track call needs an event name";
        }
        return null;
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !(value.isTextual() && value.textValue().isEmpty());
    }

    /** Segment's server-side fields: receivedAt, the clock-corrected timestamp, and a messageId. */
    private static void stamp(ObjectNode event, JsonNode batchSentAt, Arrival receivedAt) {
        long received = receivedAt.millis;
        JsonNode original = event.hasNonNull("timestamp") ? event.get("timestamp") : event.get("originalTimestamp");
        JsonNode sentAt = event.hasNonNull("sentAt") ? event.get("sentAt") : batchSentAt;
        long timestamp = received;
        if (original != null && !original.isNull()) {
            long originalMillis = Timestamps.toEpochMillis(original, received);
            timestamp = sentAt != null && !sentAt.isNull()
                    ? corrected(received, receivedAt.sentAtMillis(sentAt), originalMillis)
                    : originalMillis;
            event.set("originalTimestamp", original);
        }
        if (sentAt != null && !sentAt.isNull()) {
            event.set("sentAt", sentAt);
        }
        event.put("receivedAt", receivedAt.text);
        event.put("timestamp", Timestamps.text(timestamp));
        ensureMessageId(event);
    }

    /**
     * The arrival of one request: its time, written once for all its events, and the sentAt of its events read once
     * per distinct value (a batch's events carry the same one; reading a date costs about as much as parsing the
     * event).
     */
    private static final class Arrival {

        private final long millis;
        private final String text;
        private JsonNode lastSentAt;
        private long lastSentAtMillis;

        private Arrival(long millis) {
            this.millis = millis;
            this.text = Timestamps.text(millis);
        }

        private long sentAtMillis(JsonNode sentAt) {
            if (!sentAt.equals(lastSentAt)) {
                lastSentAtMillis = Timestamps.toEpochMillis(sentAt, millis);
                lastSentAt = sentAt;
            }
            return lastSentAtMillis;
        }
    }

    /** {@code receivedAt - (sentAt - originalTimestamp)}; when that is beyond epoch milliseconds, the arrival time. */
    private static long corrected(long receivedAt, long sentAt, long originalTimestamp) {
        try {
            return Math.subtractExact(receivedAt, Math.subtractExact(sentAt, originalTimestamp));
        } catch (ArithmeticException beyondEpochMillis) {
            return receivedAt;
        }
    }

    private static void ensureMessageId(ObjectNode event) {
        if (!present(event.get("messageId"))) {
            event.put("messageId", "api-" + UUID.randomUUID());
        }
    }

    private static String callOf(String path) {
        String call = path == null ? "" : path.replaceFirst("^/?(v1/)?", "");
        return call.endsWith("/") ? call.substring(0, call.length() - 1) : call;
    }

    private RefusedRequestException tooLarge() {
        return new RefusedRequestException(400, "the request body is larger than the limit of " + maxRequestBytes + " bytes");
    }

    private JsonNode parse(byte[] json) {
        if (json.length == 0) {
            throw new RefusedRequestException(400, "the request has no body");
        }
        checkUtf8(json);
        try {
            return mapper.readTree(json);
        } catch (StreamConstraintsException tooDeepOrLong) {
            throw new RefusedRequestException(400, "the JSON breaks a limit: " + tooDeepOrLong.getOriginalMessage());
        } catch (JacksonException invalid) {
            throw new RefusedRequestException(400, "invalid JSON: " + invalid.getOriginalMessage());
        } catch (IOException e) {
            throw new RefusedRequestException(400, "invalid JSON: " + e.getMessage());
        }
    }

    /**
     * Refuses a body that is not valid UTF-8: the JSON parser would take an overlong or surrogate encoding for the
     * character it disguises. Decoded a block at a time from the first byte that is not ASCII (most bodies have none),
     * so the check costs no copy of the body.
     */
    private static void checkUtf8(byte[] body) {
        int ascii = 0;
        while (ascii < body.length && body[ascii] >= 0) {
            ascii++;
        }
        if (ascii == body.length) {
            return;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body).position(ascii);
        CharBuffer out = CharBuffer.allocate(UTF8_CHECK_BLOCK);
        CoderResult result;
        do {
            out.clear();
            result = decoder.decode(in, out, true);
            if (result.isError()) {
                throw new RefusedRequestException(400, "the body is not valid UTF-8 (at byte " + in.position() + ")");
            }
        } while (result.isOverflow());
    }
}
