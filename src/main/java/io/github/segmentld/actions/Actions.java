package io.github.segmentld.actions;

import java.util.List;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.MappingCompiler;

/** The destination's actions, and their presets: each action's default subscription and fields, named after it. */
public final class Actions {

    public static final AliasUser ALIAS_USER = new AliasUser();
    public static final TrackEvent TRACK_EVENT = new TrackEvent();
    public static final IdentifyContext IDENTIFY_CONTEXT = new IdentifyContext();
    /** In the order of Segment's presets, then the action Segment does not have. */
    public static final List<Action> ALL = List.of(ALIAS_USER, TRACK_EVENT, IDENTIFY_CONTEXT);

    private Actions() {
    }

    /** The action with this title ("Track Event"), or null. */
    public static Action byTitle(String title) {
        return ALL.stream().filter(action -> action.title().equals(title)).findFirst().orElse(null);
    }

    /** Segment's presets of a destination instance: identify and alias calls to Alias User, track to Track Event. */
    public static List<Mapping> presets(String destination) {
        return List.of(ALIAS_USER.preset(destination), TRACK_EVENT.preset(destination));
    }

    /**
     * The presets with identify calls sent to Identify Context instead; Alias User keeps the alias calls, which have
     * nothing to identify (their previous ID may be a former user ID as well as an anonymous one).
     */
    public static List<Mapping> contextPresets(String destination) {
        Mapping aliasCalls = MappingCompiler.compile(destination, ALIAS_USER.title(), true, "type = \"alias\"",
                ALIAS_USER, JsonNodeFactory.instance.objectNode());
        return List.of(aliasCalls, TRACK_EVENT.preset(destination), IDENTIFY_CONTEXT.preset(destination));
    }
}
