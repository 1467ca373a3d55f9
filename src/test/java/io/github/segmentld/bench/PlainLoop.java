package io.github.segmentld.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.mapping.IntegrationsFilter;
import io.github.segmentld.mapping.MappedEvent;
import io.github.segmentld.mapping.Mapping;
import io.github.segmentld.mapping.SegmentValidationException;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;

/**
 * The benchmark's floor: read, parse, map and serialise a file of Segment events in one thread, in batches of
 * {@code batchSize} events as the application posts them, with Jackson and the project's own transformers.
 */
final class PlainLoop {

    private PlainLoop() {
    }

    /** Returns the LaunchDarkly events made and the bytes of their JSON batches. */
    static long[] run(Path file, int batchSize) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        InputSource source = new InputSource(file.getFileName().toString(), "bench", "line", 0);
        EventChunk chunk = new EventChunk(source, 0, List.of());
        List<Mapping> presets = Actions.presets("default");
        List<ObjectNode> batch = new ArrayList<>(batchSize);
        long out = 0;
        long bytes = 0;
        long line = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 16)) {
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                ObjectNode event = (ObjectNode) mapper.readTree(text);
                line++;
                batch.addAll(mapped(event, line, presets, chunk));
                if (line % batchSize == 0 && !batch.isEmpty()) {
                    bytes += mapper.writeValueAsBytes(batch).length;
                    out += batch.size();
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            bytes += mapper.writeValueAsBytes(batch).length;
            out += batch.size();
        }
        return new long[] {out, bytes};
    }

    /**
     * The LaunchDarkly events the presets map a Segment event to (none when its integrations leave LaunchDarkly out, or
     * it is invalid for them).
     */
    static List<ObjectNode> mapped(ObjectNode event, long line, List<Mapping> presets, EventChunk chunk) {
        List<ObjectNode> out = new ArrayList<>(1);
        if (!IntegrationsFilter.enabledFor(event)) {
            return out;
        }
        for (Mapping mapping : presets) {
            if (mapping.trigger().test(event)) {
                MappedEvent mapped = new MappedEvent(new SegmentEvent(event, line), mapping, chunk);
                try {
                    out.add(mapping.action().perform(mapped).json());
                } catch (SegmentValidationException invalid) {
                    // counted by the application; nothing to send
                }
            }
        }
        return out;
    }
}
