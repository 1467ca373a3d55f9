package io.github.segmentld.actions;

import static io.github.segmentld.mapping.ActionField.optional;
import static io.github.segmentld.mapping.ActionField.required;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.ActionField.Type;
import io.github.segmentld.mapping.ActionPayload;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.model.Timestamps;

/**
 * Alias User: a Segment event becomes a LaunchDarkly {@code alias} event linking the anonymous user
 * ({@code previousKey}, kind {@code anonymousUser}) to the identified one ({@code key}, kind {@code user}).
 */
public final class AliasUser extends Action {

    AliasUser() {
        super("Alias User", "Alias an anonymous user with an identified user key.",
                "type = \"identify\" or type = \"alias\"", List.of(
                required("user_key", "User key", "The user's unique key.", Type.STRING, "{\"@path\": \"$.userId\"}"),
                required("previous_key", "Anonymous ID", "The user's unauthenticated identifier.", Type.STRING, """
                        {"@if": {"exists": {"@path": "$.previousId"}, "then": {"@path": "$.previousId"},
                                 "else": {"@path": "$.anonymousId"}}}"""),
                optional("timestamp", "Timestamp", "The time when the event happened. Defaults to the current time.",
                        Type.DATETIME, "{\"@path\": \"$.timestamp\"}")));
    }

    @Override
    public LaunchDarklyEvent perform(MappedEvent mapped) {
        ActionPayload payload = mapped.payload();
        String userKey = payload.string("user_key");
        String previousKey = payload.string("previous_key");
        long creationDate = Timestamps.toEpochMillis(payload.value("timestamp"), mapped.chunk().source().receivedAt());
        payload.validate();

        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("kind", "alias");
        event.put("key", userKey);
        event.put("previousKey", previousKey);
        event.put("contextKind", "user");
        event.put("previousContextKind", "anonymousUser");
        event.put("creationDate", creationDate);
        return new LaunchDarklyEvent(event, mapped.event(), mapped.mapping().name());
    }
}
