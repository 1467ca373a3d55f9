package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * A mapping's field value, compiled once from its JSON form into a function of the event: a literal, or one of
 * Segment's directives ({@code @path}, {@code @if} with {@code exists} or {@code blank}, {@code @template},
 * {@code @literal}, {@code @case}, {@code @replace}, {@code @merge}); an object without a directive is an object whose
 * values are themselves values. A value that resolves to nothing is {@link MissingNode}, which leaves the field out.
 */
public final class FieldValue {

    private static final Pattern TEMPLATE_PART = Pattern.compile("\\{\\{\\s*([^}]+?)\\s*}}");

    private FieldValue() {
    }

    /** Whether a value is a directive object ({@code {"@path": ...}}) rather than a literal or an object of values. */
    public static boolean isDirective(JsonNode value) {
        return value != null && value.isObject() && value.fieldNames().hasNext() && value.fieldNames().next().startsWith("@");
    }

    /** Compiles a field value; a mistake in it is an {@link IllegalArgumentException} that says what is wrong. */
    public static Function<ObjectNode, JsonNode> compile(JsonNode value) {
        if (value == null || !value.isObject()) {
            JsonNode literal = value == null ? MissingNode.getInstance() : value;
            return event -> literal;
        }
        if (!isDirective(value)) {
            return object(value);
        }
        String first = value.fieldNames().next();
        if (value.size() != 1) {
            throw new IllegalArgumentException("a directive object holds one directive, found " + value.size() + " keys");
        }
        JsonNode argument = value.get(first);
        return switch (first) {
            case "@path" -> path(text(argument, "@path"));
            case "@literal" -> event -> argument;
            case "@template" -> template(text(argument, "@template"));
            case "@if" -> condition(argument);
            case "@case" -> letterCase(argument);
            case "@replace" -> replace(argument);
            case "@merge" -> merge(argument);
            default -> throw new IllegalArgumentException("unknown directive " + first);
        };
    }

    private static Function<ObjectNode, JsonNode> object(JsonNode value) {
        Map<String, Function<ObjectNode, JsonNode>> fields = new LinkedHashMap<>();
        value.properties().forEach(field -> fields.put(field.getKey(), compile(field.getValue())));
        Function<ObjectNode, ObjectNode> object = object(fields);
        return object::apply;
    }

    /** An object of compiled values, in their order; a value that resolves to nothing is left out. */
    public static Function<ObjectNode, ObjectNode> object(Map<String, Function<ObjectNode, JsonNode>> fields) {
        return event -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            fields.forEach((name, field) -> {
                JsonNode resolved = field.apply(event);
                if (!resolved.isMissingNode()) {
                    out.set(name, resolved);
                }
            });
            return out;
        };
    }

    /** {@code $.a.b}, {@code $.a[0]}, {@code $['a b']}: compiled into steps once. */
    static Function<ObjectNode, JsonNode> path(String expression) {
        List<Object> steps = new ArrayList<>();
        String rest = expression.strip();
        if (!rest.startsWith("$")) {
            throw new IllegalArgumentException("a @path starts with $, was '" + expression + "'");
        }
        Matcher step = Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]|\\['([^']*)']|\\[\"([^\"]*)\"]").matcher(rest);
        int at = 1;
        while (at < rest.length()) {
            if (!step.find(at) || step.start() != at) {
                throw new IllegalArgumentException("cannot read @path '" + expression + "' at position " + (at + 1));
            }
            steps.add(step.group(2) != null ? (Object) Integer.valueOf(step.group(2))
                    : step.group(1) != null ? step.group(1) : step.group(3) != null ? step.group(3) : step.group(4));
            at = step.end();
        }
        return event -> {
            JsonNode node = event;
            for (Object s : steps) {
                node = s instanceof Integer index ? node.path(index) : node.path((String) s);
            }
            return node;
        };
    }

    private static Function<ObjectNode, JsonNode> template(String template) {
        List<Object> parts = new ArrayList<>();
        Matcher placeholder = TEMPLATE_PART.matcher(template);
        int at = 0;
        while (placeholder.find()) {
            parts.add(template.substring(at, placeholder.start()));
            parts.add(path("$." + placeholder.group(1)));
            at = placeholder.end();
        }
        parts.add(template.substring(at));
        return event -> {
            StringBuilder out = new StringBuilder();
            for (Object part : parts) {
                if (part instanceof String literal) {
                    out.append(literal);
                } else {
                    @SuppressWarnings("unchecked")
                    JsonNode value = ((Function<ObjectNode, JsonNode>) part).apply(event);
                    if (!value.isMissingNode() && !value.isNull()) {
                        out.append(value.isValueNode() ? value.asText() : value.toString());
                    }
                }
            }
            return TextNode.valueOf(out.toString());
        };
    }

    private static Function<ObjectNode, JsonNode> condition(JsonNode argument) {
        boolean exists = argument.has("exists");
        if (exists == argument.has("blank")) {
            throw new IllegalArgumentException("@if needs exactly one of \"exists\" or \"blank\"");
        }
        Function<ObjectNode, JsonNode> tested = compile(argument.get(exists ? "exists" : "blank"));
        Function<ObjectNode, JsonNode> then = compile(argument.get("then"));
        Function<ObjectNode, JsonNode> otherwise = compile(argument.get("else"));
        return event -> {
            JsonNode value = tested.apply(event);
            boolean present = !value.isMissingNode() && !value.isNull();
            boolean holds = exists ? present : !present || value.isTextual() && value.textValue().isEmpty();
            return holds ? then.apply(event) : otherwise.apply(event);
        };
    }

    private static Function<ObjectNode, JsonNode> letterCase(JsonNode argument) {
        String operator = text(argument.get("operator"), "@case operator");
        if (!operator.equals("lower") && !operator.equals("upper")) {
            throw new IllegalArgumentException("@case operator is \"lower\" or \"upper\", was \"" + operator + "\"");
        }
        Function<ObjectNode, JsonNode> value = compile(argument.get("value"));
        return event -> {
            JsonNode resolved = value.apply(event);
            if (!resolved.isTextual()) {
                return resolved;
            }
            String text = resolved.textValue();
            return TextNode.valueOf(operator.equals("lower") ? text.toLowerCase(Locale.ROOT) : text.toUpperCase(Locale.ROOT));
        };
    }

    private static Function<ObjectNode, JsonNode> replace(JsonNode argument) {
        String pattern = text(argument.get("pattern"), "@replace pattern");
        String replacement = argument.path("replacement").asText("");
        boolean global = argument.path("global").asBoolean(true);
        int flags = argument.path("ignorecase").asBoolean(false) ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
        Pattern literal = Pattern.compile(Pattern.quote(pattern), flags);
        String quotedReplacement = Matcher.quoteReplacement(replacement);
        Function<ObjectNode, JsonNode> value = compile(argument.get("value"));
        return event -> {
            JsonNode resolved = value.apply(event);
            if (!resolved.isTextual()) {
                return resolved;
            }
            Matcher matcher = literal.matcher(resolved.textValue());
            return TextNode.valueOf(global ? matcher.replaceAll(quotedReplacement) : matcher.replaceFirst(quotedReplacement));
        };
    }

    private static Function<ObjectNode, JsonNode> merge(JsonNode argument) {
        JsonNode objects = argument.get("objects");
        if (objects == null || !objects.isArray()) {
            throw new IllegalArgumentException("@merge needs an \"objects\" array");
        }
        String direction = argument.path("direction").asText("right");
        if (!direction.equals("left") && !direction.equals("right")) {
            throw new IllegalArgumentException("@merge direction is \"left\" or \"right\", was \"" + direction + "\"");
        }
        List<Function<ObjectNode, JsonNode>> parts = new ArrayList<>();
        objects.forEach(object -> parts.add(compile(object)));
        boolean laterWins = direction.equals("right");
        return event -> {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Function<ObjectNode, JsonNode> part : parts) {
                JsonNode resolved = part.apply(event);
                if (resolved.isObject()) {
                    resolved.properties().forEach(field -> {
                        if (laterWins || !out.has(field.getKey())) {
                            out.set(field.getKey(), field.getValue());
                        }
                    });
                }
            }
            return out;
        };
    }

    private static String text(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return node.textValue();
    }
}
