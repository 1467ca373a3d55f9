package io.github.segmentld.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.EventsEndpoint.Api;
import io.github.segmentld.launchdarkly.StandInEndpoints;
import io.github.segmentld.mapping.Action;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.MappingCompiler;

/**
 * Reads the mappings file (named by {@code launchdarkly.mappings-file}): the destination instances, each with its
 * LaunchDarkly settings and its mappings. Everything is checked before the application starts, and the first mistake
 * is reported with the file, the instance and the mapping it is in:
 * <pre>
 * destinations:
 *   - name: production                                # letters, digits, '.', '_', '-'; names metrics and payload IDs
 *     client-side-id: "{{env:LD_CLIENT_SIDE_ID:}}"    # empty: the embedded stand-in
 *     events-host: events.launchdarkly.com            # or events-base-url: http://relay:8030
 *     type: client-side                               # or metric-import, with its own settings: EndpointSettings
 *     enabled: true
 *     presets: true                                   # the Track Event and Alias User presets
 *     identify-with: alias                            # or contexts: identify calls to the Identify Context preset
 *     consent-categories: [Analytics]                 # delivered only when each is granted (none: unfiltered)
 *     consent-missing: deliver                        # or filter: an event without consent preferences
 *     insert-function:                                # code of the team's own, before the mappings
 *       direct: enrich-plan                           # a route of routes.extra-dir, or groovy: an expression
 *     mappings:
 *       - name: Order revenue
 *         trigger: type = "track" and event = "Order Completed"
 *         action: Track Event
 *         fields:
 *           metric_value: {"@path": "$.properties.total"}
 * </pre>
 * Property placeholders ({@code {{env:NAME:default}}}, {@code {{some.key}}}) are resolved in the instance settings
 * only: in field values, {@code {{...}}} belongs to {@code @template}.
 */
public final class MappingsFile {

    /** Segment's limit of mappings on one destination instance, presets included. */
    public static final int MAX_MAPPINGS = 50;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    /** The JSON schema of the file (for editors too): the settings known at each level are read from it. */
    public static final String SCHEMA = "mappings.schema.json";
    /** The setting that names the file. */
    public static final String KEY = "launchdarkly.mappings-file";
    private static final JsonNode SCHEMA_TREE = FileSettings.schema(SCHEMA);
    private static final Set<String> FILE_KEYS = FileSettings.keysOf(SCHEMA_TREE);
    private static final Set<String> INSTANCE_KEYS = FileSettings.keysOf(SCHEMA_TREE.path("$defs").path("instance"));
    private static final Set<String> MAPPING_KEYS = FileSettings.keysOf(SCHEMA_TREE.path("$defs").path("mapping"));

    private final FileSettings settings;
    private final StandInEndpoints standIns;

    /**
     * @param placeholders resolves property placeholders in instance settings
     * @param standIns     the endpoint of an enabled instance without a client-side ID or access token (the embedded
     *                     stand-in), or an {@link IllegalStateException} saying why there can be none
     */
    public MappingsFile(UnaryOperator<String> placeholders, StandInEndpoints standIns) {
        this.settings = new FileSettings(placeholders);
        this.standIns = standIns;
    }

    /** The one instance with the presets that runs when no mappings file is named, set by {@code launchdarkly.*} keys. */
    public DestinationInstance single(String name, String clientSideId, String eventsHost, String eventsBaseUrl) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException("launchdarkly.destination-name '" + name + "' must be letters, digits, '.',"
                    + " '_' or '-'");
        }
        try {
            EventsEndpoint endpoint = clientSideId.isBlank() ? standIns.clientSide(name)
                    : EventsEndpoint.of(name, clientSideId.strip(), eventsHost, eventsBaseUrl);
            return new DestinationInstance(name, true, endpoint, Actions.presets(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("launchdarkly." + e.getMessage());
        }
    }

    /** @throws IllegalStateException naming the file, the instance and the mapping of the first mistake */
    public List<DestinationInstance> read(Path file) {
        return read(file(file));
    }

    /**
     * The file's bytes, read once, for {@link #read(FileVersion)}.
     *
     * @throws IllegalStateException when it is not there or cannot be read, naming the file and the setting
     */
    public static FileVersion file(Path file) {
        return FileVersion.read(file, where(file), KEY);
    }

    /** @throws IllegalStateException naming the file, the instance and the mapping of the first mistake */
    public List<DestinationInstance> read(FileVersion file) {
        String where = where(file.path());
        JsonNode root = FileSettings.parseYaml(file.content(), where);
        if (root == null || !root.isObject() || !root.path("destinations").isArray() || root.get("destinations").isEmpty()) {
            throw new IllegalStateException(where + ": expected a list of destination instances under 'destinations:'");
        }
        FileSettings.checkKeys(root, FILE_KEYS, where);
        List<DestinationInstance> instances = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode instance : root.get("destinations")) {
            index++;
            DestinationInstance read = instance(instance, where, index);
            if (!names.add(read.name())) {
                throw new IllegalStateException(where + ": two destination instances are named '" + read.name() + "'");
            }
            instances.add(read);
        }
        if (instances.stream().noneMatch(DestinationInstance::enabled)) {
            throw new IllegalStateException(where + ": every destination instance is disabled, nothing would be sent");
        }
        return instances;
    }

    private static String where(Path file) {
        return "Mappings file " + file;
    }

    /** @param inFile how messages name the file ("Mappings file mappings.yaml") */
    private DestinationInstance instance(JsonNode node, String inFile, int index) {
        String numbered = inFile + ", destination number " + index;
        if (!node.isObject()) {
            throw new IllegalStateException(numbered + ": expected the settings of a destination instance");
        }
        String name = settings.setting(node, "name", numbered);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalStateException(numbered + ": name '" + name + "' must be letters, digits, '.', '_' or '-'");
        }
        String where = inFile + ", destination '" + name + "'";
        FileSettings.checkKeys(node, INSTANCE_KEYS, where);
        boolean enabled = flag(node, "enabled", where);
        Api api = EndpointSettings.api(node, settings, where);
        EventsEndpoint endpoint = EndpointSettings.endpoint(node, settings, api, name, enabled, standIns, where);
        List<Mapping> mappings = new ArrayList<>(presets(node, name, api, where));
        JsonNode custom = node.path("mappings");
        if (!custom.isMissingNode() && !custom.isNull() && !custom.isArray()) {
            throw new IllegalStateException(where + ": mappings must be a list");
        }
        for (JsonNode mapping : custom) {
            mappings.add(mapping(name, mapping, where));
        }
        EndpointSettings.checkActions(api, mappings, where);
        if (mappings.isEmpty()) {
            throw new IllegalStateException(where + ": no mappings (presets: false and no mappings of its own)");
        }
        if (mappings.size() > MAX_MAPPINGS) {
            throw new IllegalStateException(where + ": " + mappings.size() + " mappings, more than the " + MAX_MAPPINGS
                    + " a destination instance may hold (the presets count when they are on)");
        }
        Set<String> names = new HashSet<>();
        for (Mapping mapping : mappings) {
            if (!names.add(mapping.name())) {
                throw new IllegalStateException(where + ": two mappings are named '" + mapping.name() + "'"
                        + (Actions.byTitle(mapping.name()) != null ? " (the presets are named after their actions)" : ""));
            }
        }
        return new DestinationInstance(name, enabled, endpoint, mappings,
                ConsentSettings.read(node, settings, where), InsertFunctionSettings.read(node, name, where));
    }

    /**
     * The instance's presets: none with {@code presets: false}; else Segment's, or with {@code identify-with: contexts}
     * those that send identify calls to Identify Context instead of Alias User, or for the metric import API Track
     * Event alone.
     */
    private List<Mapping> presets(JsonNode node, String name, Api api, String where) {
        String identifyWith = settings.setting(node, "identify-with", where);
        if (!flag(node, "presets", where)) {
            if (!identifyWith.isEmpty()) {
                throw new IllegalStateException(where + ": identify-with chooses the preset for identify calls, and"
                        + " presets is false (a mapping of its own with action: Identify Context does it instead)");
            }
            return List.of();
        }
        if (api == Api.METRIC_IMPORT) {
            return EndpointSettings.metricImportPresets(name, identifyWith, where);
        }
        return switch (identifyWith) {
            case "", "alias" -> Actions.presets(name);
            case "contexts" -> Actions.contextPresets(name);
            default -> throw new IllegalStateException(where + ": identify-with must be alias or contexts, was '"
                    + identifyWith + "'");
        };
    }

    private static Mapping mapping(String destination, JsonNode node, String where) {
        String name = node.path("name").isValueNode() ? node.get("name").asText().strip() : "";
        if (name.isEmpty()) {
            throw new IllegalStateException(where + ": a mapping has no name");
        }
        where = where + ", mapping '" + name + "'";
        FileSettings.checkKeys(node, MAPPING_KEYS, where);
        JsonNode trigger = node.path("trigger");
        if (!trigger.isTextual() || trigger.textValue().isBlank()) {
            throw new IllegalStateException(where + ": no trigger (such as: type = \"track\")");
        }
        String title = node.path("action").asText("");
        Action action = Actions.byTitle(title);
        if (action == null) {
            List<String> titles = Actions.ALL.stream().map(Action::title).toList();
            int last = titles.size() - 1;
            throw new IllegalStateException(where + ": unknown action '" + title + "': the actions are "
                    + String.join(", ", titles.subList(0, last)) + " and " + titles.get(last));
        }
        JsonNode fields = node.path("fields");
        if (!fields.isMissingNode() && !fields.isNull() && !fields.isObject()) {
            throw new IllegalStateException(where + ": fields must be a map of field names to values");
        }
        JsonNode enabled = node.path("enabled");
        if (!enabled.isMissingNode() && !enabled.isBoolean()) {
            throw new IllegalStateException(where + ": enabled must be true or false");
        }
        try {
            return MappingCompiler.compile(destination, name, enabled.asBoolean(true), trigger.textValue(), action,
                    fields.isObject() ? (ObjectNode) fields : JsonNodeFactory.instance.objectNode());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(where + ": " + e.getMessage());
        }
    }

    /** A true/false instance setting, true when it is not given. */
    private boolean flag(JsonNode node, String key, String where) {
        String value = settings.setting(node, key, where);
        if (value.isEmpty() || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalStateException(where + ": " + key + " must be true or false, was '" + value + "'");
    }
}
