package io.github.segmentld.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.mapping.Action;
import org.junit.jupiter.api.Test;

/** The mappings file's JSON schema, which editors complete from, says what the actions in the code say. */
class MappingsSchemaTest {

    private static JsonNode schema() throws IOException {
        try (InputStream in = MappingsFile.class.getClassLoader().getResourceAsStream(MappingsFile.SCHEMA)) {
            return Json.MAPPER.readTree(in);
        }
    }

    @Test
    void theActionsAndTheirFieldsAreThoseOfTheCode() throws IOException {
        JsonNode mapping = schema().path("$defs").path("mapping");

        List<String> titles = new ArrayList<>();
        mapping.path("properties").path("action").path("enum").forEach(title -> titles.add(title.asText()));
        assertThat(titles).containsExactlyElementsOf(Actions.ALL.stream().map(Action::title).toList());
        for (JsonNode rule : mapping.path("allOf")) {
            Action action = Actions.byTitle(rule.path("if").path("properties").path("action").path("const").asText());
            List<String> fields = new ArrayList<>();
            rule.path("then").path("properties").path("fields").path("propertyNames").path("enum")
                    .forEach(field -> fields.add(field.asText()));
            assertThat(action).isNotNull();
            assertThat(fields).as(action.title()).containsExactlyElementsOf(action.fields().keySet());
        }
        assertThat(mapping.path("allOf")).hasSize(Actions.ALL.size());
    }

    @Test
    void theLimitOfMappingsIsTheCodes() throws IOException {
        assertThat(schema().path("$defs").path("instance").path("properties").path("mappings").path("maxItems").asInt())
                .isEqualTo(MappingsFile.MAX_MAPPINGS);
    }
}
