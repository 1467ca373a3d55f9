package io.github.segmentld.mapping;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Segment's consent rule for one destination instance mapped to consent categories: an event goes to the instance
 * only when its {@code context.consent.categoryPreferences} holds {@code true} (the JSON boolean) for every one of the
 * categories. Category names are matched exactly, case included, as Segment matches the keys to its category IDs; a
 * category that is absent, {@code false}, or any other value ({@code "true"}, {@code 1}, {@code null}) is not
 * granted, as Segment takes a category the object does not grant to be {@code false}. An empty preferences object
 * therefore grants nothing. An event without a preferences object (no consent collected by its source) is delivered,
 * Segment's rule, unless the instance filters such events.
 *
 * @param categories    the categories the instance is mapped to, each of which must be granted; never empty
 * @param filterMissing whether an event without consent preferences is filtered rather than delivered
 */
public record ConsentRule(List<String> categories, boolean filterMissing) {

    /** The filter reason of an event whose preferences do not grant every category of the instance. */
    public static final String CONSENT_NOT_GRANTED = "consent_not_granted";
    /** The filter reason of an event without consent preferences, for an instance that filters those. */
    public static final String CONSENT_MISSING = "consent_missing";

    public ConsentRule {
        categories = List.copyOf(categories);
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("a consent rule needs at least one category");
        }
    }

    /** The reason the rule filters the event with ({@link #CONSENT_NOT_GRANTED}, {@link #CONSENT_MISSING}), or null. */
    public String refusal(ObjectNode event) {
        JsonNode preferences = preferences(event);
        if (preferences == null) {
            return filterMissing ? CONSENT_MISSING : null;
        }
        return notGranted(preferences) == null ? null : CONSENT_NOT_GRANTED;
    }

    /** Why the rule stops the event, naming the category that is not granted; empty when it lets the event through. */
    public String whyNot(ObjectNode event) {
        JsonNode preferences = preferences(event);
        if (preferences == null) {
            return filterMissing ? "the event has no consent preferences (context.consent.categoryPreferences) and"
                    + " the destination filters such events (consent-missing: filter)" : "";
        }
        String category = notGranted(preferences);
        if (category == null) {
            return "";
        }
        JsonNode value = preferences.get(category);
        return "consent category '" + category + "' is not granted: context.consent.categoryPreferences "
                + (value == null ? "does not hold it" : "holds " + value + " for it, not true");
    }

    /** The first category the preferences do not grant; null when they grant every one. */
    private String notGranted(JsonNode preferences) {
        for (String category : categories) {
            JsonNode value = preferences.get(category);
            if (value == null || !value.isBoolean() || !value.booleanValue()) {
                return category;
            }
        }
        return null;
    }

    /** The event's {@code context.consent.categoryPreferences} object; null when it has none. */
    private static JsonNode preferences(ObjectNode event) {
        JsonNode preferences = event.path("context").path("consent").path("categoryPreferences");
        return preferences.isObject() ? preferences : null;
    }
}
