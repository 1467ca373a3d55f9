package io.github.segmentld.launchdarkly;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.ActionPayload;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.MappedEvents;
import io.github.segmentld.mapping.Timestamps;

/**
 * The Alias User action: a Segment event becomes a LaunchDarkly {@code alias} event linking the anonymous user
 * ({@code previousKey}, kind {@code anonymousUser}) to the identified one ({@code key}, kind {@code user}).
 */
public class AliasUserTransformer {

    /** Applies the action to each event of a group; the router's entry point. */
    public TransformedEvents transformAll(MappedEvents group) {
        return TransformedEvents.apply(group, this::transform);
    }

    public LaunchDarklyEvent transform(MappedEvent mapped) {
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
        return new LaunchDarklyEvent(event, mapped.event());
    }
}
