package io.github.segmentld.mapping;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Compiles a mapping from its written form: the trigger is parsed, and the field values given replace the action's
 * defaults (a field given as {@code null} has no value). Whatever can be known before the first event is checked
 * here: the trigger's syntax, unknown fields, directives, a required field left without a value, a literal that
 * the field's type could never accept, and one the action itself refuses.
 */
public final class MappingCompiler {

    private MappingCompiler() {
    }

    /**
     * @throws IllegalArgumentException saying what is wrong and where (the trigger, or the field)
     */
    public static Mapping compile(String destination, String name, boolean enabled, String trigger, Action action,
                                  ObjectNode fieldValues) {
        Trigger parsed;
        try {
            parsed = Trigger.parse(trigger);
        } catch (TriggerSyntaxException e) {
            throw new IllegalArgumentException("trigger: " + e.getMessage(), e);
        }
        Map<String, Function<ObjectNode, JsonNode>> values = new LinkedHashMap<>();
        for (ActionField field : action.fields().values()) {
            values.put(field.key(), FieldValue.compile(field.defaultValue()));
        }
        for (Iterator<Map.Entry<String, JsonNode>> given = fieldValues.fields(); given.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = given.next();
            ActionField field = action.fields().get(entry.getKey());
            if (field == null) {
                throw new IllegalArgumentException("unknown field '" + entry.getKey() + "': " + action.title()
                        + " has the fields " + String.join(", ", action.fields().keySet()));
            }
            values.put(field.key(), compile(action, field, entry.getValue()));
        }
        return new Mapping(destination, name, enabled, parsed, action, FieldValue.object(values));
    }

    private static Function<ObjectNode, JsonNode> compile(Action action, ActionField field, JsonNode value) {
        boolean empty = value.isNull() || value.isTextual() && value.textValue().isEmpty();
        if (field.required() && empty) {
            throw new IllegalArgumentException("field '" + field.key() + "' is required and has no value"
                    + " (leave it out to use the default)");
        }
        if (!FieldValue.isDirective(value) && !field.type().accepts(value)) {
            throw new IllegalArgumentException("field '" + field.key() + "': " + field.label() + " must be "
                    + field.type().description() + ", and " + value + " never is");
        }
        try {
            if (!empty && !FieldValue.isDirective(value)) {
                action.check(field.key(), value);
            }
            return FieldValue.compile(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("field '" + field.key() + "': " + e.getMessage(), e);
        }
    }
}
