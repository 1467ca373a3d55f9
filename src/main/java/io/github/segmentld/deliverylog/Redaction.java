package io.github.segmentld.deliverylog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the delivery log keeps of personal data when {@code delivery-log.redact} is on: user IDs as hashes (the same
 * ID always the same hash, so a search by user still finds its events), no properties and no traits. Off, it keeps
 * everything as it was sent.
 */
public final class Redaction {

    private static final String HASH_PREFIX = "sha256:";

    private final boolean enabled;

    public Redaction(boolean enabled) {
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** A user ID as it is stored, and as a search for it must be written. */
    public String userId(String id) {
        if (!enabled || id == null) {
            return id;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return HASH_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** A Segment event as it is stored: a copy without properties and traits, its user IDs hashed. */
    public JsonNode segmentEvent(ObjectNode event) {
        if (!enabled) {
            return event;
        }
        ObjectNode copy = event.deepCopy();
        copy.remove("properties");
        copy.remove("traits");
        if (copy.get("context") instanceof ObjectNode context) {
            context.remove("traits");
        }
        hashText(copy, "userId");
        hashText(copy, "anonymousId");
        hashText(copy, "previousId");
        return copy;
    }

    /**
     * A LaunchDarkly event as it is stored: a copy without its data, its context keys hashed; an identify event's
     * contexts keep only their kind, hashed key and anonymous mark (their attributes are traits).
     */
    public JsonNode launchDarklyEvent(ObjectNode event) {
        if (!enabled) {
            return event;
        }
        ObjectNode copy = event.deepCopy();
        copy.remove("data");
        if (copy.get("contextKeys") instanceof ObjectNode keys) {
            for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> key = it.next();
                if (key.getValue().isTextual()) {
                    key.setValue(keys.textNode(userId(key.getValue().textValue())));
                }
            }
        }
        if ("alias".equals(copy.path("kind").asText())) {
            hashText(copy, "key");
            hashText(copy, "previousKey");
        }
        if (copy.get("context") instanceof ObjectNode context) {
            if ("multi".equals(context.path("kind").asText())) {
                context.properties().forEach(kind -> {
                    if (kind.getValue() instanceof ObjectNode single) {
                        keysOnly(single);
                    }
                });
            } else {
                keysOnly(context);
            }
        }
        return copy;
    }

    private void keysOnly(ObjectNode context) {
        context.retain("kind", "key", "anonymous");
        hashText(context, "key");
    }

    private void hashText(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && value.isValueNode() && !value.isNull()) {
            node.put(field, userId(value.asText()));
        }
    }
}
