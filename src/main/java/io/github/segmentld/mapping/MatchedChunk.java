package io.github.segmentld.mapping;

import java.util.Iterator;
import java.util.List;

/**
 * What the matcher made of a chunk: the groups of events per mapping, which the router's split goes through, and what
 * the insert functions made of the events, which the chunk's settlement records.
 */
public record MatchedChunk(List<MappedEvents> groups, InsertedEvents inserted) implements Iterable<MappedEvents> {

    /** The exchange property that holds the matched chunk while its groups are converted. */
    public static final String PROPERTY = "matchedChunk";

    public MatchedChunk {
        groups = List.copyOf(groups);
    }

    @Override
    public Iterator<MappedEvents> iterator() {
        return groups.iterator();
    }
}
