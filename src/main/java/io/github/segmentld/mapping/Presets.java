package io.github.segmentld.mapping;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The destination's two presets, with the default field values of Segment's action definitions:
 * <ul>
 * <li>Alias User, trigger {@code type = "identify" or type = "alias"}: user_key = userId, previous_key = previousId if
 * it exists, else anonymousId, timestamp = timestamp.</li>
 * <li>Track Event, trigger {@code type = "track"}: context_kind = "user", user_key = userId if it exists, else
 * anonymousId, additional_context_keys = {unauthenticatedUser: anonymousId}, event_name = event, metric_value =
 * properties.revenue if it exists, else properties.value, event_properties = properties, timestamp = timestamp.</li>
 * </ul>
 * "Exists" is Segment's {@code @if exists}: present and not null.
 */
public final class Presets {

    public static final Mapping ALIAS_USER = new Mapping("Alias User",
            event -> typeIs(event, "identify") || typeIs(event, "alias"),
            Action.ALIAS_USER,
            Presets::aliasUserFields);

    public static final Mapping TRACK_EVENT = new Mapping("Track Event",
            event -> typeIs(event, "track"),
            Action.TRACK_EVENT,
            Presets::trackEventFields);

    public static final List<Mapping> ALL = List.of(ALIAS_USER, TRACK_EVENT);

    private Presets() {
    }

    private static ObjectNode aliasUserFields(ObjectNode event) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        putIfFound(fields, "user_key", event.get("userId"));
        putIfFound(fields, "previous_key", firstExisting(event.get("previousId"), event.get("anonymousId")));
        putIfFound(fields, "timestamp", event.get("timestamp"));
        return fields;
    }

    private static ObjectNode trackEventFields(ObjectNode event) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        JsonNode properties = event.path("properties");
        fields.put("context_kind", "user");
        putIfFound(fields, "user_key", firstExisting(event.get("userId"), event.get("anonymousId")));
        ObjectNode additional = fields.putObject("additional_context_keys");
        putIfFound(additional, "unauthenticatedUser", event.get("anonymousId"));
        putIfFound(fields, "event_name", event.get("event"));
        putIfFound(fields, "metric_value", firstExisting(properties.get("revenue"), properties.get("value")));
        putIfFound(fields, "event_properties", event.get("properties"));
        putIfFound(fields, "timestamp", event.get("timestamp"));
        return fields;
    }

    private static boolean typeIs(ObjectNode event, String type) {
        JsonNode value = event.get("type");
        return value != null && type.equals(value.asText());
    }

    private static JsonNode firstExisting(JsonNode preferred, JsonNode fallback) {
        return preferred != null && !preferred.isNull() ? preferred : fallback;
    }

    /** A path that resolves to nothing leaves the field out, as in Segment's mapping kit. */
    private static void putIfFound(ObjectNode target, String field, JsonNode value) {
        if (value != null && !value.isMissingNode()) {
            target.set(field, value);
        }
    }
}
