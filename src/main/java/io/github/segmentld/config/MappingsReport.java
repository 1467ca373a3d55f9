package io.github.segmentld.config;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.mapping.ActionField;
import io.github.segmentld.mapping.ConsentRule;
import io.github.segmentld.mapping.Mapping;

/**
 * The mappings version in force as {@code GET /launchdarkly/mappings} answers it: the file's digest and when it was
 * loaded, and each destination instance with its settings (credentials masked as logs show them) and its mappings, each
 * mapping with the field values in force (its own, over the action's defaults).
 */
public final class MappingsReport {

    private MappingsReport() {
    }

    public static ObjectNode of(MappingsVersion version, ObjectMapper mapper) {
        ObjectNode report = mapper.createObjectNode();
        report.put("file", version.file() == null ? null : version.file().path().toString());
        report.put("digest", version.digest());
        report.put("loadedAt", version.loadedAt().toString());
        Map<String, JsonNode> written = writtenInstances(version);
        ArrayNode destinations = report.putArray("destinations");
        for (DestinationInstance instance : version.instances().all()) {
            JsonNode node = written.getOrDefault(instance.name(), mapper.createObjectNode());
            destinations.add(destination(instance, node, mapper));
        }
        return report;
    }

    private static ObjectNode destination(DestinationInstance instance, JsonNode written, ObjectMapper mapper) {
        ObjectNode destination = mapper.createObjectNode();
        destination.put("name", instance.name());
        EventsEndpoint endpoint = instance.endpoint();
        destination.put("type", endpoint != null ? endpoint.api().setting()
                : written.path("type").asText(EventsEndpoint.Api.CLIENT_SIDE.setting()));
        destination.put("enabled", instance.enabled());
        destination.put("credential", endpoint == null ? null : endpoint.maskedCredential());
        destination.put("url", endpoint == null ? null : endpoint.maskedEventsUrl());
        destination.put("standIn", endpoint != null && endpoint.isStandIn());
        ConsentRule consent = instance.consent();
        if (consent == null) {
            destination.putNull("consent");
        } else {
            ObjectNode rule = destination.putObject("consent");
            consent.categories().forEach(rule.putArray("categories")::add);
            rule.put("missing", consent.filterMissing() ? "filter" : "deliver");
        }
        Map<String, JsonNode> ownFields = new HashMap<>();
        written.path("mappings").forEach(mapping -> ownFields.put(mapping.path("name").asText("").strip(),
                mapping.path("fields")));
        destination.put("identifyWith", identifyWith(instance, ownFields));
        ArrayNode mappings = destination.putArray("mappings");
        for (Mapping mapping : instance.mappings()) {
            boolean preset = !ownFields.containsKey(mapping.name());
            ObjectNode row = mappings.addObject();
            row.put("name", mapping.name());
            row.put("preset", preset);
            row.put("trigger", mapping.trigger().toString());
            row.put("action", mapping.action().title());
            row.put("enabled", mapping.enabled());
            ObjectNode fields = row.putObject("fields");
            JsonNode own = preset ? mapper.createObjectNode() : ownFields.get(mapping.name());
            for (ActionField field : mapping.action().fields().values()) {
                fields.set(field.key(), own.has(field.key()) ? own.get(field.key()) : field.defaultValue());
            }
        }
        return destination;
    }

    /** Which preset takes identify calls: alias, contexts, or none (no presets, or the metric import API). */
    private static String identifyWith(DestinationInstance instance, Map<String, JsonNode> ownFields) {
        for (Mapping mapping : instance.mappings()) {
            if (!ownFields.containsKey(mapping.name()) && mapping.action() == Actions.IDENTIFY_CONTEXT) {
                return "contexts";
            }
        }
        for (Mapping mapping : instance.mappings()) {
            if (!ownFields.containsKey(mapping.name()) && mapping.action() == Actions.ALIAS_USER) {
                return "alias";
            }
        }
        return null;
    }

    /** Each instance's settings as the file writes them, by name: where a mapping's own field values are. */
    private static Map<String, JsonNode> writtenInstances(MappingsVersion version) {
        Map<String, JsonNode> byName = new HashMap<>();
        if (version.file() != null) {
            JsonNode root = FileSettings.parseYaml(version.file().content(), "Mappings file " + version.file().path());
            root.path("destinations").forEach(node -> byName.put(node.path("name").asText("").strip(), node));
        }
        return byName;
    }
}
