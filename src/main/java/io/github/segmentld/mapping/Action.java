package io.github.segmentld.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * An action of the LaunchDarkly (Actions) destination, defined the way Segment defines its actions: a title, a
 * description, a default subscription (the trigger of its preset), its fields with Segment's defaults, and one
 * {@link #perform} that turns a mapped event into a LaunchDarkly event. "Exists" in a default is Segment's
 * {@code @if exists}: present and not null. The actions themselves are in the {@code actions} package.
 */
public abstract class Action {

    private final String title;
    private final String description;
    private final String defaultSubscription;
    private final Map<String, ActionField> fields;

    protected Action(String title, String description, String defaultSubscription, List<ActionField> fields) {
        this.title = title;
        this.description = description;
        this.defaultSubscription = defaultSubscription;
        Map<String, ActionField> byKey = new LinkedHashMap<>();
        fields.forEach(field -> byKey.put(field.key(), field));
        this.fields = Collections.unmodifiableMap(byKey);
    }

    /** The action's name, as in Segment and in mappings files ("Track Event"). */
    public String title() {
        return title;
    }

    public String description() {
        return description;
    }

    /** The trigger of the action's preset. */
    public String defaultSubscription() {
        return defaultSubscription;
    }

    /** The action's fields by key, in the order of Segment's definition. */
    public Map<String, ActionField> fields() {
        return fields;
    }

    /** The action's preset for a destination instance: its default subscription and field values, named after it. */
    public Mapping preset(String destination) {
        return MappingCompiler.compile(destination, title, true, defaultSubscription, this,
                JsonNodeFactory.instance.objectNode());
    }

    /**
     * Refuses a value written in a mapping (a literal, or an object of values) that no event could make valid beyond
     * what the field's type says, such as a context kind LaunchDarkly does not allow; mappings are compiled at start,
     * so the mistake stops the start rather than rejecting every event. None by default.
     *
     * @throws IllegalArgumentException saying what is wrong with the value
     */
    protected void check(String field, JsonNode value) {
    }

    /**
     * The LaunchDarkly event made of one mapped event, once its fields pass Segment's validation.
     *
     * @throws SegmentValidationException with Segment's message when they do not
     */
    public abstract LaunchDarklyEvent perform(MappedEvent mapped);

    /** Performs the action on each event of a group: the router's entry point. */
    public TransformedEvents performAll(MappedEvents group) {
        return TransformedEvents.apply(group, this::perform);
    }

    @Override
    public String toString() {
        return title;
    }
}
