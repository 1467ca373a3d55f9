package io.github.segmentld.config;

import java.util.List;

import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.Mapping;

/**
 * One instance of the destination, as Segment has them: a LaunchDarkly environment and the mappings that feed it.
 *
 * @param endpoint where its events go; null only for a disabled instance without a client-side ID or access token
 * @param mappings    its mappings, presets first when they are on, disabled ones included (the preview shows them)
 * @param consent     the consent categories it is mapped to; null when consent does not filter its events
 */
public record DestinationInstance(String name, boolean enabled, EventsEndpoint endpoint, List<Mapping> mappings,
                                  ConsentRule consent) {

    public DestinationInstance {
        mappings = List.copyOf(mappings);
    }

    /** An instance that consent does not filter. */
    public DestinationInstance(String name, boolean enabled, EventsEndpoint endpoint, List<Mapping> mappings) {
        this(name, enabled, endpoint, mappings, null);
    }
}
