package io.github.segmentld.config;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.launchdarkly.LaunchDarklyBatcher;
import io.github.segmentld.mapping.MappedEvents;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/**
 * The version of the mappings in force, which a reload replaces as a whole. A chunk is mapped by one version from
 * start to end: {@link #match} takes the version in force as the chunk starts mapping, and leaves on the chunk's
 * exchange what the later steps read from it (its matcher, for the delivery log's filter reasons, and its
 * destinations, for the batches), so a version applied meanwhile applies from the next chunk on.
 */
public class MappingsInForce {

    /** A version with the matcher made of it once. */
    private record Pinned(MappingsVersion version, MappingMatcher matcher) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final PipelineMetrics metrics;
    private final AtomicReference<Pinned> current = new AtomicReference<>();

    public MappingsInForce(MappingsVersion first, PipelineMetrics metrics) {
        this.metrics = metrics;
        apply(first);
    }

    public MappingsVersion version() {
        return current.get().version();
    }

    /** The version in force as {@code GET /launchdarkly/mappings} answers it ({@link MappingsReport}). */
    public String report() {
        return MappingsReport.of(version(), MAPPER).toPrettyString();
    }

    /** Puts the version in force: the chunks that start mapping from now on are mapped by it. */
    public void apply(MappingsVersion version) {
        DestinationInstances instances = version.instances();
        current.set(new Pinned(version, new MappingMatcher(instances.mappings(), instances.consentRules(), metrics)));
    }

    /** The chunk's events grouped by the mapping they match, by the version in force now, which the chunk keeps. */
    public List<MappedEvents> match(@Body EventChunk chunk, Exchange exchange) {
        Pinned pinned = current.get();
        exchange.setProperty(MappingMatcher.PROPERTY, pinned.matcher());
        exchange.setProperty(LaunchDarklyBatcher.DESTINATIONS, pinned.version().instances().destinations());
        return pinned.matcher().match(chunk);
    }
}
