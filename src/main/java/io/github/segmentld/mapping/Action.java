package io.github.segmentld.mapping;

import static io.github.segmentld.mapping.ActionField.optional;
import static io.github.segmentld.mapping.ActionField.required;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.mapping.ActionField.Type;

/**
 * The LaunchDarkly (Actions) destination's two actions, with their fields and Segment's defaults for them. "Exists"
 * in a default is Segment's {@code @if exists}: present and not null.
 */
public enum Action {

    ALIAS_USER("Alias User", List.of(
            required("user_key", "User key", Type.STRING, "{\"@path\": \"$.userId\"}"),
            required("previous_key", "Anonymous ID", Type.STRING, """
                    {"@if": {"exists": {"@path": "$.previousId"}, "then": {"@path": "$.previousId"},
                             "else": {"@path": "$.anonymousId"}}}"""),
            optional("timestamp", "Timestamp", Type.DATETIME, "{\"@path\": \"$.timestamp\"}"))),

    TRACK_EVENT("Track Event", List.of(
            optional("context_kind", "Context Kind", Type.STRING, "\"user\""),
            required("user_key", "Context Key", Type.STRING, """
                    {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"},
                             "else": {"@path": "$.anonymousId"}}}"""),
            optional("additional_context_keys", "Additional Context Keys", Type.OBJECT,
                    "{\"unauthenticatedUser\": {\"@path\": \"$.anonymousId\"}}"),
            required("event_name", "Event Name", Type.STRING, "{\"@path\": \"$.event\"}"),
            optional("metric_value", "Metric Value", Type.NUMBER, """
                    {"@if": {"exists": {"@path": "$.properties.revenue"}, "then": {"@path": "$.properties.revenue"},
                             "else": {"@path": "$.properties.value"}}}"""),
            optional("event_properties", "Event Properties", Type.OBJECT, "{\"@path\": \"$.properties\"}"),
            optional("timestamp", "Event timestamp", Type.DATETIME, "{\"@path\": \"$.timestamp\"}")));

    private final String title;
    private final Map<String, ActionField> fields;

    Action(String title, List<ActionField> fields) {
        this.title = title;
        Map<String, ActionField> byKey = new LinkedHashMap<>();
        fields.forEach(field -> byKey.put(field.key(), field));
        this.fields = Collections.unmodifiableMap(byKey);
    }

    public String title() {
        return title;
    }

    /** The action's fields by key, in the order of Segment's definition. */
    public Map<String, ActionField> fields() {
        return fields;
    }

    /** The action with this title ("Track Event"), or null. */
    public static Action byTitle(String title) {
        for (Action action : values()) {
            if (action.title.equals(title)) {
                return action;
            }
        }
        return null;
    }
}
