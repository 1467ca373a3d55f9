package io.github.segmentld.actions;

import java.util.List;

import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.Mapping;

/** The destination's actions, and their presets: each action's default subscription and fields, named after it. */
public final class Actions {

    public static final AliasUser ALIAS_USER = new AliasUser();
    public static final TrackEvent TRACK_EVENT = new TrackEvent();
    /** In the order of Segment's presets. */
    public static final List<Action> ALL = List.of(ALIAS_USER, TRACK_EVENT);

    private Actions() {
    }

    /** The action with this title ("Track Event"), or null. */
    public static Action byTitle(String title) {
        return ALL.stream().filter(action -> action.title().equals(title)).findFirst().orElse(null);
    }

    /** The presets of a destination instance, one per action. */
    public static List<Mapping> presets(String destination) {
        return ALL.stream().map(action -> action.preset(destination)).toList();
    }
}
