package io.github.segmentld.mapping;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * What the actions made of one chunk: the LaunchDarkly events per destination instance, and the events they turned
 * down. Built by the router's split as it aggregates each mapping group's {@link TransformedEvents}
 * ({@link Aggregation}), so the chunk itself is never changed.
 */
public final class ConvertedChunk {

    /** The exchange property that holds the converted chunk while its batches are delivered. */
    public static final String PROPERTY = "convertedChunk";

    private final Map<String, List<LaunchDarklyEvent>> launchDarklyEvents = new LinkedHashMap<>();
    private final List<TransformedEvents.Invalid> invalid = new ArrayList<>();

    /** The LaunchDarkly events made for a destination instance, in the order their groups were converted. */
    public List<LaunchDarklyEvent> launchDarklyEvents(String destination) {
        return launchDarklyEvents.getOrDefault(destination, List.of());
    }

    /** Every LaunchDarkly event made of the chunk. */
    public Stream<LaunchDarklyEvent> launchDarklyEvents() {
        return launchDarklyEvents.values().stream().flatMap(List::stream);
    }

    /** The events an action turned down, with the reasons. */
    public List<TransformedEvents.Invalid> invalid() {
        return invalid;
    }

    private void add(TransformedEvents group) {
        if (!group.launchDarklyEvents().isEmpty()) {
            launchDarklyEvents.computeIfAbsent(group.destination(), d -> new ArrayList<>())
                    .addAll(group.launchDarklyEvents());
        }
        invalid.addAll(group.invalid());
    }

    /**
     * The router split's aggregation: each group's {@link TransformedEvents} into one {@link ConvertedChunk}, which the
     * split leaves as the message body, empty when no event of the chunk matched a mapping.
     */
    public static final class Aggregation implements AggregationStrategy {

        @Override
        public Exchange aggregate(Exchange collected, Exchange group) {
            Exchange into = collected == null ? group : collected;
            // a group that failed fails the chunk (a custom aggregation would otherwise swallow the failure)
            if (into.getException() != null || group.getException() != null) {
                into.setException(into.getException() != null ? into.getException() : group.getException());
                return into;
            }
            ConvertedChunk converted = collected == null ? new ConvertedChunk()
                    : collected.getMessage().getBody(ConvertedChunk.class);
            converted.add(group.getMessage().getBody(TransformedEvents.class));
            into.getMessage().setBody(converted);
            return into;
        }

        @Override
        public void onCompletion(Exchange collected, Exchange chunkExchange) {
            if (collected == null) {
                chunkExchange.getMessage().setBody(new ConvertedChunk());
            }
        }
    }
}
