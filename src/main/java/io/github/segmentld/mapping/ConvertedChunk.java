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
 * down; with what the insert functions made of the chunk's events (those they failed on are turned down too). Built
 * by the router's split as it aggregates each mapping group's {@link TransformedEvents} ({@link Aggregation}), so the
 * chunk itself is never changed.
 */
public final class ConvertedChunk {

    /** The exchange property that holds the converted chunk while its batches are delivered. */
    public static final String PROPERTY = "convertedChunk";

    private final Map<String, List<LaunchDarklyEvent>> launchDarklyEvents = new LinkedHashMap<>();
    private final List<TransformedEvents.Invalid> invalid = new ArrayList<>();
    private InsertedEvents inserted = InsertedEvents.NONE;

    /** The LaunchDarkly events made for a destination instance, in the order their groups were converted. */
    public List<LaunchDarklyEvent> launchDarklyEvents(String destination) {
        return launchDarklyEvents.getOrDefault(destination, List.of());
    }

    /** Every LaunchDarkly event made of the chunk. */
    public Stream<LaunchDarklyEvent> launchDarklyEvents() {
        return launchDarklyEvents.values().stream().flatMap(List::stream);
    }

    /** The events an action or an insert function turned down, with the reasons. */
    public List<TransformedEvents.Invalid> invalid() {
        return invalid;
    }

    /** What the insert functions made of the chunk's events. */
    public InsertedEvents inserted() {
        return inserted;
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
     * split leaves as the message body, empty when no event of the chunk matched a mapping; at the end, what the insert
     * functions made of the chunk, from the chunk exchange's {@link MatchedChunk#PROPERTY}.
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
            ConvertedChunk converted;
            if (collected == null) {
                converted = new ConvertedChunk();
                chunkExchange.getMessage().setBody(converted);
            } else if (collected.getException() == null) {
                converted = collected.getMessage().getBody(ConvertedChunk.class);
            } else {
                return;
            }
            MatchedChunk matched = chunkExchange.getProperty(MatchedChunk.PROPERTY, MatchedChunk.class);
            if (matched != null) {
                converted.inserted = matched.inserted();
                converted.invalid.addAll(matched.inserted().failures());
            }
        }
    }
}
