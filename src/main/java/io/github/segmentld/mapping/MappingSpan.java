package io.github.segmentld.mapping;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.SegmentEvent;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * The span {@value #NAME} of a chunk's trace: the mapping of its events, from the match to what the actions made of
 * them, as a child of the {@code pipeline} span. It carries the input ({@code segment.input}), the chunk's Segment
 * events, the LaunchDarkly events made of them, and the events filtered (no mapping took them) and rejected (an action
 * turned them down).
 * <p>
 * With tracing off there is no recording span to be the parent: nothing is started, and nothing of OpenTelemetry is
 * asked for. A chunk whose mapping fails has no {@value #NAME} span (the failure is on the {@code pipeline} span): the
 * span started is never ended, so never exported.
 */
public class MappingSpan {

    static final String NAME = "map";
    static final AttributeKey<String> INPUT = AttributeKey.stringKey("segment.input");
    static final AttributeKey<Long> SEGMENT_EVENTS = AttributeKey.longKey("segment.events");
    static final AttributeKey<Long> LAUNCHDARKLY_EVENTS = AttributeKey.longKey("launchdarkly.events");
    static final AttributeKey<Long> FILTERED = AttributeKey.longKey("segment.filtered");
    static final AttributeKey<Long> REJECTED = AttributeKey.longKey("segment.rejected");

    /** The exchange property that holds the span while the chunk is mapped. */
    private static final String PROPERTY = "mappingSpan";
    /** The instrumentation scope the span is reported under. */
    private static final String SCOPE = "io.github.segmentld";

    /** Before the match: starts the span under the current one (the pipeline route's), when that one records. */
    public void begin(Exchange exchange, @ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk) {
        if (!Span.current().isRecording()) {
            return;
        }
        // A recording span means Camel's tracer took the global instance (it would take a Tracer bound in the registry
        // first, and the application binds none), so it is set: getOrNoop never starts the SDK's autoconfiguration.
        Span span = GlobalOpenTelemetry.getOrNoop().getTracer(SCOPE).spanBuilder(NAME)
                .setAttribute(INPUT, chunk.source().name())
                .setAttribute(SEGMENT_EVENTS, (long) chunk.events().size())
                .startSpan();
        exchange.setProperty(PROPERTY, span);
    }

    /** Once the actions made the converted chunk: its counts, and the span ends. */
    public void end(Exchange exchange, @ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk,
                    @ExchangeProperty(ConvertedChunk.PROPERTY) ConvertedChunk converted) {
        Span span = exchange.getProperty(PROPERTY, Span.class);
        if (span == null) {
            return;
        }
        exchange.removeProperty(PROPERTY);
        // an event several mappings took is one event: counted by identity, as the delivery log does
        Set<SegmentEvent> taken = Collections.newSetFromMap(new IdentityHashMap<>());
        List<LaunchDarklyEvent> made = converted.launchDarklyEvents().toList();
        made.forEach(event -> taken.add(event.segmentEvent()));
        converted.invalid().forEach(invalid -> taken.add(invalid.event()));
        span.setAttribute(LAUNCHDARKLY_EVENTS, (long) made.size());
        span.setAttribute(FILTERED, chunk.events().stream().filter(event -> !taken.contains(event)).count());
        span.setAttribute(REJECTED, (long) converted.invalid().size());
        span.end();
    }
}
