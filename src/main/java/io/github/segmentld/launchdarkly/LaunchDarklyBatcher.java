package io.github.segmentld.launchdarkly;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.model.EventChunk;
import org.apache.camel.ExchangeProperty;

/**
 * Turns what the actions made of a chunk into that chunk's batches, one per destination instance that has events,
 * each with its own URL and payload ID. A chunk is bounded by {@code pipeline.chunk-size}
 * Segment events, so a batch holds at most that many events per mapping of its instance that matched them. It also
 * writes each batch's request body.
 */
public class LaunchDarklyBatcher {

    /**
     * The exchange property that holds the enabled destination instances of the mappings version a chunk is mapped by
     * (a reload between two chunks may change them).
     */
    public static final String DESTINATIONS = "launchDarklyDestinations";
    private static final ObjectWriter JSON = new ObjectMapper().writer();

    /** The chunk's batches, each one's events in the order of the input (the mappings' groups interleaved back). */
    public List<LaunchDarklyBatch> batches(@ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk,
                                           @ExchangeProperty(DESTINATIONS) List<EventsEndpoint> destinations,
                                           ConvertedChunk converted) {
        List<LaunchDarklyBatch> batches = new ArrayList<>(destinations.size());
        for (EventsEndpoint destination : destinations) {
            List<LaunchDarklyEvent> events = converted.launchDarklyEvents(destination.name());
            if (!events.isEmpty()) {
                List<LaunchDarklyEvent> inInputOrder = new ArrayList<>(events);
                inInputOrder.sort(Comparator.comparingLong(event -> event.segmentEvent().position()));
                String payloadId = LaunchDarklyBatch.derivePayloadId(chunk.source().id(), chunk.index(), destination);
                batches.add(new LaunchDarklyBatch(payloadId, destination, inInputOrder));
            }
        }
        return batches;
    }

    /**
     * A batch's request body: its events as a JSON array, written once into a byte array. Marshalled into a stream
     * cache and converted to bytes, the body was copied three times over: a seventh of what the file path allocated.
     */
    public byte[] requestBody(LaunchDarklyBatch batch) throws JsonProcessingException {
        return JSON.writeValueAsBytes(batch.payload());
    }
}
