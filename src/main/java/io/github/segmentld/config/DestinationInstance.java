package io.github.segmentld.config;

import java.util.List;

import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.InsertFunction;
import io.github.segmentld.mapping.Mapping;

/**
 * One instance of the destination, as Segment has them: a LaunchDarkly environment and the mappings that feed it.
 *
 * @param endpoint       where its events go; null only for a disabled instance without a client-side ID or access
 *                       token
 * @param mappings       its mappings, presets first when they are on, disabled ones included (the preview shows them)
 * @param consent        the consent categories it is mapped to; null when consent does not filter its events
 * @param insertFunction the code of its own that runs on each event before its mappings; null when it has none
 */
public record DestinationInstance(String name, boolean enabled, EventsEndpoint endpoint, List<Mapping> mappings,
                                  ConsentRule consent, InsertFunction insertFunction) {

    public DestinationInstance {
        mappings = List.copyOf(mappings);
    }

    /** An instance without an insert function. */
    public DestinationInstance(String name, boolean enabled, EventsEndpoint endpoint, List<Mapping> mappings,
                               ConsentRule consent) {
        this(name, enabled, endpoint, mappings, consent, null);
    }

    /** An instance that consent does not filter. */
    public DestinationInstance(String name, boolean enabled, EventsEndpoint endpoint, List<Mapping> mappings) {
        this(name, enabled, endpoint, mappings, null);
    }
}
