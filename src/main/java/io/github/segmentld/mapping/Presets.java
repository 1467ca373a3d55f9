package io.github.segmentld.mapping;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The destination's two presets: Segment's triggers, with each action's default field values.
 * <ul>
 * <li>Alias User, trigger {@code type = "identify" or type = "alias"};</li>
 * <li>Track Event, trigger {@code type = "track"}.</li>
 * </ul>
 */
public final class Presets {

    public static final String ALIAS_USER_TRIGGER = "type = \"identify\" or type = \"alias\"";
    public static final String TRACK_EVENT_TRIGGER = "type = \"track\"";

    private Presets() {
    }

    public static Mapping aliasUser(String destination) {
        return preset(destination, Action.ALIAS_USER, ALIAS_USER_TRIGGER);
    }

    public static Mapping trackEvent(String destination) {
        return preset(destination, Action.TRACK_EVENT, TRACK_EVENT_TRIGGER);
    }

    /** Both presets of a destination instance, named after their actions. */
    public static List<Mapping> all(String destination) {
        return List.of(aliasUser(destination), trackEvent(destination));
    }

    private static Mapping preset(String destination, Action action, String trigger) {
        return MappingCompiler.compile(destination, action.title(), true, trigger, action,
                JsonNodeFactory.instance.objectNode());
    }
}
