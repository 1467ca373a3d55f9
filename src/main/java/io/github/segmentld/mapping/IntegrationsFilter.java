package io.github.segmentld.mapping;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Segment's integrations-object rule for this destination: an explicit entry under one of the destination's names
 * wins ({@code false} disables it, any other value enables it); without one, the event goes through unless
 * {@code All} is {@code false}. Keys are case-sensitive.
 */
public final class IntegrationsFilter {

    static final List<String> DESTINATION_NAMES =
            List.of("LaunchDarkly", "LaunchDarkly (Actions)", "LaunchDarkly (Actions) Destination");

    private IntegrationsFilter() {
    }

    public static boolean enabledFor(ObjectNode event) {
        JsonNode integrations = event.get("integrations");
        if (integrations == null || !integrations.isObject()) {
            return true;
        }
        boolean explicit = false;
        for (String name : DESTINATION_NAMES) {
            JsonNode entry = integrations.get(name);
            if (entry != null) {
                if (entry.isBoolean() && !entry.booleanValue()) {
                    return false;
                }
                explicit = true;
            }
        }
        if (explicit) {
            return true;
        }
        JsonNode all = integrations.get("All");
        return all == null || !all.isBoolean() || all.booleanValue();
    }
}
