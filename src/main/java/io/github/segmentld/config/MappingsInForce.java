package io.github.segmentld.config;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.launchdarkly.LaunchDarklyBatcher;
import io.github.segmentld.mapping.InsertFunctions;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.MatchedChunk;
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

    /** A version with its insert functions compiled and the matcher made of it, once. */
    public record Pinned(MappingsVersion version, InsertFunctions functions, MappingMatcher matcher) {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Function<DestinationInstances, InsertFunctions> compile;
    private final PipelineMetrics metrics;
    private final AtomicReference<Pinned> current = new AtomicReference<>();

    public MappingsInForce(MappingsVersion first, PipelineMetrics metrics) {
        this(first, instances -> InsertFunctions.NONE, metrics);
    }

    /**
     * @param compile compiles a version's insert functions, or refuses them (IllegalStateException, with the reason)
     */
    public MappingsInForce(MappingsVersion first, Function<DestinationInstances, InsertFunctions> compile,
                           PipelineMetrics metrics) {
        this.compile = compile;
        this.metrics = metrics;
        apply(first);
    }

    public MappingsVersion version() {
        return current.get().version();
    }

    /** The insert functions of the version in force. */
    public InsertFunctions insertFunctions() {
        return current.get().functions();
    }

    /** The version in force with its insert functions, read together. */
    public Pinned pinned() {
        return current.get();
    }

    /** The version in force as {@code GET /launchdarkly/mappings} answers it ({@link MappingsReport}). */
    public String report() {
        return MappingsReport.of(version(), MAPPER).toPrettyString();
    }

    /** Puts the version in force: the chunks that start mapping from now on are mapped by it. */
    public void apply(MappingsVersion version) {
        put(prepare(version));
    }

    /**
     * The version with its insert functions compiled and its matcher made, ready to be put in force.
     *
     * @throws IllegalStateException when its insert functions are refused, with the reason
     */
    public Pinned prepare(MappingsVersion version) {
        DestinationInstances instances = version.instances();
        InsertFunctions functions = compile.apply(instances);
        return new Pinned(version, functions,
                new MappingMatcher(instances.mappings(), instances.consentRules(), functions, metrics));
    }

    /** Puts a prepared version in force. */
    public void put(Pinned version) {
        current.set(version);
    }

    /** The chunk's events grouped by the mapping they match, by the version in force now, which the chunk keeps. */
    public MatchedChunk match(@Body EventChunk chunk, Exchange exchange) {
        Pinned pinned = current.get();
        exchange.setProperty(MappingMatcher.PROPERTY, pinned.matcher());
        exchange.setProperty(LaunchDarklyBatcher.DESTINATIONS, pinned.version().instances().destinations());
        return pinned.matcher().match(chunk);
    }
}
