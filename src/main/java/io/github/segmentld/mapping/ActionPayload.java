package io.github.segmentld.mapping;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An action's resolved fields, validated against the action's field definitions the way Segment's Actions framework
 * does before an action runs: empty strings and nulls are dropped from top-level fields, values are coerced to the
 * field's type (a number becomes a string for a string field, a numeric string becomes a number for a number field),
 * and problems are reported with Segment's wording and the field's label. Missing required fields are reported before type errors; several errors are joined with a space.
 */
public final class ActionPayload {

    private final Action action;
    private final ObjectNode fields;
    private final List<String> missing = new ArrayList<>();
    private final List<String> typeErrors = new ArrayList<>();

    public ActionPayload(Action action, ObjectNode resolvedFields) {
        this.action = action;
        this.fields = resolvedFields;
    }

    /** A string field; null when it is absent (an error if it is required) or of the wrong type (an error). */
    public String string(String key) {
        JsonNode value = present(key);
        if (value == null) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber() || value.isBoolean()) {
            return jsString(value);
        }
        return wrongType(key, "a string", value);
    }

    /** A number field; a numeric string becomes a number. */
    public JsonNode number(String key) {
        JsonNode value = present(key);
        if (value == null || value.isNumber()) {
            return value;
        }
        if (value.isTextual()) {
            JsonNode number = parseNumber(value.textValue());
            if (number != null) {
                return number;
            }
        }
        return wrongType(key, "a number", value);
    }

    public ObjectNode object(String key) {
        JsonNode value = present(key);
        if (value == null || value.isObject()) {
            return (ObjectNode) value;
        }
        return wrongType(key, "an object", value);
    }

    /** A list of strings field; an empty list when it is absent. */
    public List<String> strings(String key) {
        JsonNode value = present(key);
        if (value == null) {
            return List.of();
        }
        JsonNode wrong = firstNonString(value);
        if (wrong != null) {
            return wrongType(key, "a list of strings",
                    wrong == value ? describe(value) : "an array holding " + describe(wrong));
        }
        List<String> strings = new ArrayList<>(value.size());
        value.forEach(item -> strings.add(item.textValue()));
        return strings;
    }

    /** A field taken as it is, after the empty-value rule; for fields such as timestamps that are read leniently. */
    public JsonNode value(String key) {
        return present(key);
    }

    /** Throws the collected errors, if any, as one {@link SegmentValidationException}. */
    public void validate() {
        if (missing.isEmpty() && typeErrors.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(missing);
        all.addAll(typeErrors);
        throw new SegmentValidationException(String.join(" ", all));
    }

    /** JavaScript's {@code String(value)}, as Segment's destination code applies it to context keys. */
    public static String jsString(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber()) {
            return jsNumber(value);
        }
        if (value.isObject()) {
            return "[object Object]";
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(item.isNull() ? "" : jsString(item)));
            return String.join(",", items);
        }
        return value.asText();
    }

    private JsonNode present(String key) {
        JsonNode value = fields.get(key);
        if (value == null || value.isNull() || value.isMissingNode() || (value.isTextual() && value.textValue().isEmpty())) {
            if (definition(key).required()) {
                missing.add("The root value is missing the required field '" + key + "'.");
            }
            return null;
        }
        return value;
    }

    private <T> T wrongType(String key, String expected, JsonNode value) {
        return wrongType(key, expected, describe(value));
    }

    private <T> T wrongType(String key, String expected, String described) {
        typeErrors.add(definition(key).label() + " must be " + expected + " but it was " + described + ".");
        return null;
    }

    /** What keeps a value from being a list of strings: itself if it is no array, else its first other item. */
    static JsonNode firstNonString(JsonNode value) {
        if (!value.isArray()) {
            return value;
        }
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                return item;
            }
        }
        return null;
    }

    private ActionField definition(String key) {
        ActionField field = action.fields().get(key);
        if (field == null) {
            throw new IllegalArgumentException(action.title() + " has no field " + key);
        }
        return field;
    }

    private static String jsNumber(JsonNode number) {
        if (number.isIntegralNumber()) {
            return number.bigIntegerValue().toString();
        }
        double d = number.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    static JsonNode parseNumber(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        try {
            BigDecimal parsed = new BigDecimal(trimmed);
            if (parsed.signum() == 0 || parsed.stripTrailingZeros().scale() <= 0) {
                try {
                    return LongNode.valueOf(parsed.longValueExact());
                } catch (ArithmeticException tooLarge) {
                    return DoubleNode.valueOf(parsed.doubleValue());
                }
            }
            return DoubleNode.valueOf(parsed.doubleValue());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private static String describe(JsonNode value) {
        if (value.isTextual()) {
            return "a string";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isArray()) {
            return "an array";
        }
        if (value.isObject()) {
            return "an object";
        }
        if (value.isNumber()) {
            return "a number";
        }
        return "null";
    }
}
