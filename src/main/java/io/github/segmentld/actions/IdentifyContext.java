package io.github.segmentld.actions;

import static io.github.segmentld.mapping.ActionField.optional;
import static io.github.segmentld.mapping.ActionField.required;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.ActionField.Type;
import io.github.segmentld.mapping.ActionPayload;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.SegmentValidationException;
import io.github.segmentld.model.Timestamps;

/**
 * Identify Context: a Segment event becomes a LaunchDarkly {@code identify} event ({@code kind, creationDate,
 * context}) whose context is a multi-context of the known context (its key, kind {@code user}, attributes taken from
 * the traits) and the anonymous one it was known by before (kind {@code unauthenticatedUser}, marked
 * {@code "anonymous": true}): how LaunchDarkly's SDKs tie the two together since contexts replaced alias events.
 * Without an anonymous key, the context is the known one alone. Private attributes are redacted as the SDKs redact
 * them: left out of the context and named in its {@code _meta.redactedAttributes}.
 */
public final class IdentifyContext extends Action {

    private static final String DEFAULT_KIND = "user";
    private static final String DEFAULT_ANONYMOUS_KIND = "unauthenticatedUser";
    /** LaunchDarkly's rule for a context kind. */
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9._-]+");
    private static final String KIND_RULE = "letters, digits, '.', '_' or '-', other than \"kind\" and \"multi\"";
    /** Set by the context's own fields: never an attribute, never redacted. */
    private static final Set<String> RESERVED = Set.of("kind", "key", "anonymous", "_meta");
    private static final String PRIVATE_RULE = "attribute names or paths such as \"/address/street\", other than kind,"
            + " key, anonymous and _meta";

    IdentifyContext() {
        super("Identify Context", "Identify a context in LaunchDarkly, with the attributes of your choice, together"
                + " with the anonymous context it was known by before: the replacement of alias events for contexts.",
                "type = \"identify\"", List.of(
                optional("context_kind", "Context Kind", "The kind of the known context. If not specified, the context"
                        + " kind will default to `user`.", Type.STRING, "\"" + DEFAULT_KIND + "\""),
                required("context_key", "Context Key", "The unique LaunchDarkly key of the known context. In most cases"
                        + " the Segment `userId` should be used.", Type.STRING, "{\"@path\": \"$.userId\"}"),
                optional("anonymous_kind", "Anonymous Context Kind", "The kind of the anonymous context. If not"
                        + " specified, it will default to `unauthenticatedUser`.", Type.STRING,
                        "\"" + DEFAULT_ANONYMOUS_KIND + "\""),
                optional("anonymous_key", "Anonymous Context Key", "The key of the anonymous context the known one was"
                        + " known by before. Without it, the known context is identified alone.", Type.STRING,
                        "{\"@path\": \"$.anonymousId\"}"),
                optional("attributes", "Context Attributes", "The attributes of the known context, shown in"
                        + " LaunchDarkly's Contexts list and available to targeting. A value that is missing or null is"
                        + " left out.", Type.OBJECT,
                        "{\"name\": {\"@path\": \"$.traits.name\"}, \"email\": {\"@path\": \"$.traits.email\"}}"),
                optional("private_attributes", "Private Attributes", "Attributes LaunchDarkly must not store: left out"
                        + " of the context and named in its `_meta.redactedAttributes`. An attribute's name, or a path"
                        + " such as `/address/street` to a property of an object attribute.", Type.STRING_LIST, "[]"),
                optional("timestamp", "Timestamp", "The time when the event happened. Defaults to the current time.",
                        Type.DATETIME, "{\"@path\": \"$.timestamp\"}")));
    }

    @Override
    protected void check(String field, JsonNode value) {
        switch (field) {
            case "context_kind", "anonymous_kind" -> {
                if (!validKind(ActionPayload.jsString(value))) {
                    throw new IllegalArgumentException(fields().get(field).label() + " must be " + KIND_RULE + ", and "
                            + value + " never is");
                }
            }
            case "attributes" -> value.fieldNames().forEachRemaining(name -> {
                if (RESERVED.contains(name)) {
                    throw new IllegalArgumentException("Context Attributes cannot set \"" + name + "\": kind, key,"
                            + " anonymous and _meta come from the other fields");
                }
            });
            case "private_attributes" -> value.forEach(reference -> {
                if (path(reference.textValue()) == null) {
                    throw new IllegalArgumentException("Private Attributes must be " + PRIVATE_RULE + ", and "
                            + reference + " never is");
                }
            });
            default -> {
            }
        }
    }

    @Override
    public LaunchDarklyEvent perform(MappedEvent mapped) {
        ActionPayload payload = mapped.payload();
        String kind = Objects.requireNonNullElse(payload.string("context_kind"), DEFAULT_KIND);
        String key = payload.string("context_key");
        String anonymousKind = Objects.requireNonNullElse(payload.string("anonymous_kind"), DEFAULT_ANONYMOUS_KIND);
        String anonymousKey = payload.string("anonymous_key");
        ObjectNode attributes = payload.object("attributes");
        List<String> privateAttributes = payload.strings("private_attributes");
        JsonNode timestamp = payload.value("timestamp");
        payload.validate();

        // LaunchDarkly's rules for contexts, which its SDKs never break: an event that would is rejected, not sent
        List<String> errors = new ArrayList<>();
        checkKind("Context Kind", kind, errors);
        if (anonymousKey != null) {
            checkKind("Anonymous Context Kind", anonymousKind, errors);
            if (kind.equals(anonymousKind)) {
                errors.add("Context Kind and Anonymous Context Kind must differ but both were \"" + kind + "\".");
            }
        }
        List<Redacted> redacted = new ArrayList<>(privateAttributes.size());
        for (String reference : privateAttributes) {
            List<String> path = path(reference);
            if (path == null) {
                errors.add("Private Attributes must be " + PRIVATE_RULE + " but it held \"" + reference + "\".");
            } else {
                redacted.add(new Redacted(reference, path));
            }
        }
        JsonNode name = attributes == null ? null : attributes.get("name");
        if (name != null && name.isContainerNode()) {
            errors.add("The name attribute must be a string but it was " + (name.isArray() ? "an array" : "an object")
                    + ".");
        }
        if (!errors.isEmpty()) {
            throw new SegmentValidationException(String.join(" ", errors));
        }

        ObjectNode event = JsonNodeFactory.instance.objectNode();
        event.put("kind", "identify");
        event.put("creationDate", Timestamps.toEpochMillis(timestamp, mapped.chunk().source().receivedAt()));
        ObjectNode context = event.putObject("context");
        if (anonymousKey == null) {
            context.put("kind", kind);
            known(context, key, attributes, redacted);
        } else {
            context.put("kind", "multi");
            known(context.putObject(kind), key, attributes, redacted);
            context.putObject(anonymousKind).put("key", anonymousKey).put("anonymous", true);
        }
        return new LaunchDarklyEvent(event, mapped.event(), mapped.mapping().name());
    }

    /** The known context's key and attributes, its private ones redacted. */
    private static void known(ObjectNode context, String key, ObjectNode attributes, List<Redacted> redacted) {
        context.put("key", key);
        if (attributes != null) {
            for (Map.Entry<String, JsonNode> attribute : attributes.properties()) {
                JsonNode value = attribute.getValue();
                if (RESERVED.contains(attribute.getKey()) || value.isNull()) {
                    continue;
                }
                boolean nameToText = attribute.getKey().equals("name") && !value.isTextual();
                context.set(attribute.getKey(), nameToText ? TextNode.valueOf(ActionPayload.jsString(value)) : value);
            }
        }
        // a whole attribute before the properties within it, which are then gone with it, as LaunchDarkly lists them
        ArrayNode names = JsonNodeFactory.instance.arrayNode();
        redacted.stream().sorted(Comparator.comparingInt(r -> r.path().size()))
                .filter(r -> remove(context, r.path())).forEach(r -> names.add(r.reference()));
        if (!names.isEmpty()) {
            context.putObject("_meta").set("redactedAttributes", names);
        }
    }

    /** Removes what the path names, if it is there; objects on the way are copied, being the Segment event's own. */
    private static boolean remove(ObjectNode context, List<String> path) {
        ObjectNode parent = context;
        for (String step : path.subList(0, path.size() - 1)) {
            if (!(parent.get(step) instanceof ObjectNode child)) {
                return false;
            }
            parent = parent.putObject(step).setAll(child);
        }
        return parent.remove(path.get(path.size() - 1)) != null;
    }

    private static void checkKind(String label, String kind, List<String> errors) {
        if (!validKind(kind)) {
            errors.add(label + " must be " + KIND_RULE + " but it was \"" + kind + "\".");
        }
    }

    private static boolean validKind(String kind) {
        return KIND.matcher(kind).matches() && !kind.equals("kind") && !kind.equals("multi");
    }

    /**
     * The steps of a LaunchDarkly attribute reference: a name, or a path {@code /a/b} in which {@code ~1} stands for
     * {@code /} and {@code ~0} for {@code ~}; null when it is not one, or names what is never redacted.
     */
    private static List<String> path(String reference) {
        List<String> path = new ArrayList<>();
        if (!reference.startsWith("/")) {
            path.add(reference);
        } else {
            for (String step : reference.substring(1).split("/", -1)) {
                if (step.isEmpty() || step.replace("~0", "").replace("~1", "").contains("~")) {
                    return null;
                }
                path.add(step.replace("~1", "/").replace("~0", "~"));
            }
        }
        return path.get(0).isEmpty() || RESERVED.contains(path.get(0)) ? null : path;
    }

    /** A private attribute: as it was written, which names it in {@code redactedAttributes}, and its steps. */
    private record Redacted(String reference, List<String> path) {
    }
}
