package io.github.segmentld.deliverylog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

/** Reads the JSON the log stores (payloads, details, counts) for a report, which reads on past a value it lacks. */
final class StoredJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StoredJson() {
    }

    /** The stored value; a missing node (which answers every path with a missing node) for none, or a damaged one. */
    static JsonNode read(String text) {
        if (text == null) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}
