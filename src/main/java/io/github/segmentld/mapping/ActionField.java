package io.github.segmentld.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One field of an action, declared the way Segment's action definitions declare theirs: a key, the label Segment's
 * error messages use, a description, a type, whether it is required, and the default value a mapping starts from.
 *
 * @param defaultValue a field value (a literal or a directive), as in a mapping file
 */
public record ActionField(String key, String label, String description, Type type, boolean required,
                          JsonNode defaultValue) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The types of Segment's fields that the actions use; a list of strings is Segment's {@code multiple} string. */
    public enum Type {
        STRING, NUMBER, OBJECT, DATETIME, STRING_LIST;

        /** Whether a literal value could ever pass this type's coercion (a numeric string passes for a number). */
        public boolean accepts(JsonNode literal) {
            if (literal.isNull() || literal.isTextual() && literal.textValue().isEmpty()) {
                return true;
            }
            return switch (this) {
                case STRING -> literal.isTextual() || literal.isNumber() || literal.isBoolean();
                case NUMBER -> literal.isNumber() || literal.isTextual() && ActionPayload.parseNumber(literal.textValue()) != null;
                case OBJECT -> literal.isObject();
                case DATETIME -> literal.isTextual() || literal.isNumber();
                case STRING_LIST -> ActionPayload.firstNonString(literal) == null;
            };
        }

        public String description() {
            return switch (this) {
                case STRING -> "a string";
                case NUMBER -> "a number";
                case OBJECT -> "an object";
                case DATETIME -> "a timestamp";
                case STRING_LIST -> "a list of strings";
            };
        }
    }

    public static ActionField required(String key, String label, String description, Type type, String defaultJson) {
        return new ActionField(key, label, description, type, true, json(defaultJson));
    }

    public static ActionField optional(String key, String label, String description, Type type, String defaultJson) {
        return new ActionField(key, label, description, type, false, json(defaultJson));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }
}
