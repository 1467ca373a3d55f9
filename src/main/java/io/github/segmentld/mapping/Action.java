package io.github.segmentld.mapping;

/** The LaunchDarkly (Actions) destination's two actions. */
public enum Action {
    ALIAS_USER("Alias User"),
    TRACK_EVENT("Track Event");

    private final String title;

    Action(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }
}
