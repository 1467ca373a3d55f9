package io.github.segmentld.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.ConsentRule;

/**
 * Reads a destination instance's consent settings: {@code consent-categories}, the Segment consent categories the
 * instance is mapped to, and {@code consent-missing}, what becomes of an event without consent preferences
 * ({@code deliver}, the default, or {@code filter}).
 */
final class ConsentSettings {

    static final String CATEGORIES = "consent-categories";
    static final String MISSING = "consent-missing";

    private ConsentSettings() {
    }

    /**
     * @param where how messages name the instance ("Mappings file mappings.yaml, destination 'production'")
     * @return the instance's consent rule; null when it has no consent categories (consent does not filter its events)
     */
    static ConsentRule read(JsonNode instance, FileSettings settings, String where) {
        String missing = settings.setting(instance, MISSING, where);
        if (!missing.isEmpty() && !missing.equals("deliver") && !missing.equals("filter")) {
            throw new IllegalStateException(where + ": " + MISSING + " must be deliver or filter, was '" + missing
                    + "'");
        }
        JsonNode categories = instance.get(CATEGORIES);
        if (categories == null || categories.isNull()) {
            if (!missing.isEmpty()) {
                throw new IllegalStateException(where + ": " + MISSING + " applies only with " + CATEGORIES
                        + ", which is not set");
            }
            return null;
        }
        String expected = where + ": " + CATEGORIES + " must be a list of consent category names, such as"
                + " [Analytics]";
        if (!categories.isArray()) {
            throw new IllegalStateException(expected + ", was " + categories);
        }
        if (categories.isEmpty()) {
            throw new IllegalStateException(where + ": " + CATEGORIES + " lists no category (leave it out for an"
                    + " instance that consent does not filter)");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode category : categories) {
            if (!category.isTextual() || category.textValue().isBlank()) {
                throw new IllegalStateException(expected + " (a non-empty string each), and " + category + " is not");
            }
            names.add(category.textValue());
        }
        return new ConsentRule(names, missing.equals("filter"));
    }
}
