package io.github.segmentld.actions;

import static io.github.segmentld.mapping.ActionField.optional;
import static io.github.segmentld.mapping.ActionField.required;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.ActionField.Type;
import io.github.segmentld.mapping.ActionPayload;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.model.Timestamps;

/**
 * Track Event: a Segment event becomes a LaunchDarkly {@code custom} event
 * ({@code kind, key, contextKeys, metricValue, data, creationDate}). Context keys are the additional context keys,
 * turned into strings, with {@code {context_kind: user_key}} on top.
 */
public final class TrackEvent extends Action {

    TrackEvent() {
        super("Track Event", "Track custom events for use in A/B tests and experimentation.", "type = \"track\"",
                List.of(
                optional("context_kind", "Context Kind", "The event's context kind. If not specified, the context kind"
                        + " will default to `user`.", Type.STRING, "\"user\""),
                required("user_key", "Context Key", "The unique LaunchDarkly context key. In most cases the Segment"
                        + " `userId` should be used.", Type.STRING, """
                        {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"},
                                 "else": {"@path": "$.anonymousId"}}}"""),
                optional("additional_context_keys", "Additional Context Keys", "A mapping of additional context kinds"
                        + " to context keys.", Type.OBJECT, "{\"unauthenticatedUser\": {\"@path\": \"$.anonymousId\"}}"),
                required("event_name", "Event Name", "The name of the event to track. This name typically corresponds"
                        + " to a LaunchDarkly metric with the same key.", Type.STRING, "{\"@path\": \"$.event\"}"),
                optional("metric_value", "Metric Value", "The numeric value associated with the event. This value is"
                        + " used by the LaunchDarkly experimentation feature in numeric custom metrics, and will also be"
                        + " returned as part of the custom event for Data Export.", Type.NUMBER, """
                        {"@if": {"exists": {"@path": "$.properties.revenue"}, "then": {"@path": "$.properties.revenue"},
                                 "else": {"@path": "$.properties.value"}}}"""),
                optional("event_properties", "Event Properties", "Optional object containing the properties for the"
                        + " event being tracked. These properties assist with observational analytics for LaunchDarkly"
                        + " Data Export destinations. These properties are not saved to the LaunchDarkly user.",
                        Type.OBJECT, "{\"@path\": \"$.properties\"}"),
                optional("timestamp", "Event timestamp", "The time when the event happened. Defaults to the current"
                        + " time.", Type.DATETIME, "{\"@path\": \"$.timestamp\"}")));
    }

    @Override
    public LaunchDarklyEvent perform(MappedEvent mapped) {
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
        return new LaunchDarklyEvent(event, mapped.event(), mapped.mapping().name());
    }
}
