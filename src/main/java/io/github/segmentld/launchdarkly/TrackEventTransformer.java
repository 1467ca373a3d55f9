package io.github.segmentld.launchdarkly;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.ActionPayload;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.MappedEvents;
import io.github.segmentld.mapping.Timestamps;

/**
 * The Track Event action: a Segment event becomes a LaunchDarkly {@code custom} event
 * ({@code kind, key, contextKeys, metricValue, data, creationDate}). Context keys are the additional context keys,
 * turned into strings, with {@code {context_kind: user_key}} on top.
 */
public class TrackEventTransformer {

    /** Applies the action to each event of a group; the router's entry point. */
    public TransformedEvents transformAll(MappedEvents group) {
        return TransformedEvents.apply(group, this::transform);
    }

    public LaunchDarklyEvent transform(MappedEvent mapped) {
        ActionPayload payload = mapped.payload();
        String contextKind = payload.string("context_kind");
        String userKey = payload.string("user_key");
        ObjectNode additionalContextKeys = payload.object("additional_context_keys");
        String eventName = payload.string("event_name");
        JsonNode metricValue = payload.number("metric_value");
        ObjectNode eventProperties = payload.object("event_properties");
        JsonNode timestamp = payload.value("timestamp");
        payload.validate();

        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("kind", "custom");
        event.put("key", eventName);
        ObjectNode contextKeys = event.putObject("contextKeys");
        if (additionalContextKeys != null) {
            for (Map.Entry<String, JsonNode> entry : additionalContextKeys.properties()) {
                if (!entry.getValue().isNull()) {
                    contextKeys.put(entry.getKey(), ActionPayload.jsString(entry.getValue()));
                }
            }
        }
        contextKeys.put(contextKind == null ? "user" : contextKind, userKey);
        if (metricValue != null) {
            event.set("metricValue", metricValue);
        }
        event.set("data", eventProperties == null ? JsonNodeFactory.instance.objectNode() : eventProperties);
        event.put("creationDate", Timestamps.toEpochMillis(timestamp, mapped.chunk().source().receivedAt()));
        return new LaunchDarklyEvent(event, mapped.event());
    }
}
