package io.github.segmentld.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.InsertFunction;
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

    /** The consent rules of the enabled instances that have one, by instance name, in the file's order. */
    public Map<String, ConsentRule> consentRules() {
        Map<String, ConsentRule> rules = new LinkedHashMap<>();
        enabled().stream().filter(instance -> instance.consent() != null)
                .forEach(instance -> rules.put(instance.name(), instance.consent()));
        return rules;
    }

    /** The insert functions of the instances that have one, disabled ones included (the preview runs them). */
    public List<InsertFunction> insertFunctions() {
        return all.stream().map(DestinationInstance::insertFunction).filter(Objects::nonNull).toList();
    }

    /** The mappings of the enabled instances. */
    public List<Mapping> mappings() {
        return enabled().stream().flatMap(instance -> instance.mappings().stream()).toList();
    }
}
