package io.github.segmentld.launchdarkly;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.github.segmentld.ingest.EventChunk;
import org.apache.camel.ExchangeProperty;

/**
 * Collects the LaunchDarkly events made from a chunk and turns them into that chunk's batch. A chunk is bounded by
 * {@code pipeline.chunk-size} Segment events, so a batch never holds more events than that.
 */
public class LaunchDarklyBatcher {

    /** The exchange property that holds the chunk being processed. */
    public static final String CHUNK = "chunk";

    private final LaunchDarklyDestination destination;

    public LaunchDarklyBatcher(LaunchDarklyDestination destination) {
        this.destination = destination;
    }

    public void add(@ExchangeProperty(CHUNK) EventChunk chunk, TransformedEvents transformed) {
        chunk.addLaunchDarklyEvents(transformed.launchDarklyEvents());
    }

    /** The chunk's batch, its events in the order of the input (the actions' groups interleaved back). */
    public List<LaunchDarklyBatch> batches(@ExchangeProperty(CHUNK) EventChunk chunk) {
        if (chunk.launchDarklyEvents().isEmpty()) {
            return List.of();
        }
        List<LaunchDarklyEvent> inInputOrder = new ArrayList<>(chunk.launchDarklyEvents());
        inInputOrder.sort(Comparator.comparingLong(event -> event.source().position()));
        String payloadId = LaunchDarklyBatch.derivePayloadId(chunk.source().id(), chunk.index(), destination);
        return List.of(new LaunchDarklyBatch(payloadId, destination, inInputOrder));
    }
}
