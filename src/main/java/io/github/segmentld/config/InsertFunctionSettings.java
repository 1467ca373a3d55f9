package io.github.segmentld.config;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.mapping.InsertFunction;

/**
 * Reads a destination instance's {@code insert-function}: a route of the team's own, named by its {@code direct:}
 * endpoint, or a Groovy expression, and how long it may take on one event:
 * <pre>
 * insert-function:
 *   direct: enrich-plan        # the route from: direct:enrich-plan, in a file of routes.extra-dir
 *   timeout-ms: 1000           # the default
 * </pre>
 * Whether the route exists is checked once the routes are loaded, and whether the expression compiles once Groovy is
 * at hand: here only the shape of the setting.
 */
final class InsertFunctionSettings {

    static final String KEY = "insert-function";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** A function holds its event's chunk while it runs: a minute is more than any function should take. */
    static final long MAX_TIMEOUT_MS = 60_000;

    private static final Set<String> KEYS = FileSettings.keysOf(FileSettings.schema(MappingsFile.SCHEMA)
            .path("$defs").path(KEY));
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    private InsertFunctionSettings() {
    }

    /**
     * @param where how messages name the instance ("Mappings file mappings.yaml, destination 'production'")
     * @return the instance's insert function; null when it has none
     */
    static InsertFunction read(JsonNode instance, String destination, String where) {
        JsonNode node = instance.get(KEY);
        if (node == null || node.isNull()) {
            return null;
        }
        where = where + ": " + KEY;
        if (!node.isObject()) {
            throw new IllegalStateException(where + " must name a route (direct: NAME) or hold an expression"
                    + " (groovy: ...), was " + node);
        }
        FileSettings.checkKeys(node, KEYS, where);
        JsonNode direct = node.get(InsertFunction.DIRECT);
        JsonNode groovy = node.get(InsertFunction.GROOVY);
        if ((direct == null) == (groovy == null)) {
            throw new IllegalStateException(where + " must name a route (direct: NAME) or hold an expression"
                    + " (groovy: ...): " + (direct == null ? "it has neither" : "it has both"));
        }
        Duration timeout = timeout(node.get("timeout-ms"), where);
        if (direct != null) {
            if (!direct.isTextual() || !ROUTE_NAME.matcher(direct.textValue()).matches()) {
                throw new IllegalStateException(where + ": direct must be the name of the route's direct endpoint"
                        + " (letters, digits, '.', '_', '-'; for from: direct:enrich-plan, direct: enrich-plan), was "
                        + direct);
            }
            return new InsertFunction(destination, InsertFunction.DIRECT, direct.textValue(), timeout);
        }
        if (!groovy.isTextual() || groovy.textValue().isBlank()) {
            throw new IllegalStateException(where + ": groovy must be an expression, was " + groovy);
        }
        return new InsertFunction(destination, InsertFunction.GROOVY, groovy.textValue(), timeout);
    }

    private static Duration timeout(JsonNode value, String where) {
        if (value == null || value.isNull()) {
            return DEFAULT_TIMEOUT;
        }
        long millis = value.isIntegralNumber() ? value.longValue()
                : value.isTextual() && value.textValue().strip().matches("\\d{1,9}")
                ? Long.parseLong(value.textValue().strip()) : -1;
        if (millis < 1 || millis > MAX_TIMEOUT_MS) {
            throw new IllegalStateException(where + ": timeout-ms must be a whole number of milliseconds from 1 to "
                    + MAX_TIMEOUT_MS + ", was " + value);
        }
        return Duration.ofMillis(millis);
    }
}
