package io.github.segmentld.config;

import java.util.List;

import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.Mapping;

/**
 * The destination instances of this configuration: the mappings file's, or the single one of the
 * {@code launchdarkly.*} keys.
 *
 * @param all every instance, disabled ones included (the preview shows them)
 */
public record DestinationInstances(List<DestinationInstance> all) {

    public DestinationInstances {
        all = List.copyOf(all);
    }

    public List<DestinationInstance> enabled() {
        return all.stream().filter(DestinationInstance::enabled).toList();
    }

    /** Where the enabled instances' events go. */
    public List<EventsEndpoint> destinations() {
        return enabled().stream().map(DestinationInstance::endpoint).toList();
    }

    /** The mappings of the enabled instances. */
    public List<Mapping> mappings() {
        return enabled().stream().flatMap(instance -> instance.mappings().stream()).toList();
    }
}
