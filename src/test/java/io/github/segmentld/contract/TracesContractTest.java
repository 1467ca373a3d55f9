package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.Properties;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.api.GlobalOpenTelemetry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import io.opentelemetry.api.common.AttributeKey;
import org.junit.jupiter.api.Test;

/** With tracing on, a chunk is one trace: its mapping, and each batch's request to LaunchDarkly with what it carried. */
class TracesContractTest extends ContractTestSupport {

    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("launchdarkly.destination");
    private static final AttributeKey<String> PAYLOAD_ID = AttributeKey.stringKey("launchdarkly.payload_id");
    private static final AttributeKey<Long> EVENTS = AttributeKey.longKey("launchdarkly.events");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("launchdarkly.attempts");
    private static final AttributeKey<String> INPUT = AttributeKey.stringKey("segment.input");
    private static final AttributeKey<Long> SEGMENT_EVENTS = AttributeKey.longKey("segment.events");
    private static final AttributeKey<Long> FILTERED = AttributeKey.longKey("segment.filtered");
    private static final AttributeKey<Long> REJECTED = AttributeKey.longKey("segment.rejected");

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    /** Camel's tracer takes the global instance, as it would the one the SDK's autoconfiguration makes. */
    @BeforeAll
    static void installSdk() {
        GlobalOpenTelemetry.resetForTest();
        GlobalOpenTelemetry.set(OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build()).build());
    }

    @AfterAll
    static void removeSdk() {
        GlobalOpenTelemetry.resetForTest();
    }

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("camel.opentelemetry2.enabled", "true");
    }

    @BeforeEach
    void forgetSpans() {
        SPANS.reset();
    }

    /** The span of the batch's request, checked against what LaunchDarkly received, and its place in the trace. */
    private SpanData requestSpanOfTheOneBatch() {
        inbox.drop("two.ndjson", """
                {"type":"track","userId":"u1","event":"E","timestamp":0}
                {"type":"track","userId":"u2","event":"E","timestamp":0}
                """);
        inbox.awaitDone("two.ndjson");
        await().atMost(Duration.ofSeconds(10)).until(() -> LAUNCHDARKLY.accepted().size() == 1);
        List<SpanData> finished = SPANS.getFinishedSpanItems();
        SpanData request = finished.stream().filter(s -> s.getAttributes().get(PAYLOAD_ID) != null).findFirst()
                .orElseThrow();
        Map<String, SpanData> byId = finished.stream().filter(s -> s.getTraceId().equals(request.getTraceId()))
                .collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        List<String> ancestors = new ArrayList<>();
        for (SpanData s = request; s != null; s = byId.get(s.getParentSpanId())) {
            ancestors.add(s.getName());
        }
        // the chunk's trace: from the pipeline (mapping, batches) to the request; the file itself is no span
        assertThat(ancestors).containsExactly("post", "post", "send", "send", "deliver", "deliver", "pipeline",
                "pipeline");
        assertThat(byId.values()).noneMatch(s -> s.getName().startsWith("file") || s.getName().startsWith("POST"));
        assertThat(request.getAttributes().get(PAYLOAD_ID)).isEqualTo(LAUNCHDARKLY.accepted().keySet().iterator().next());
        assertThat(request.getAttributes().get(DESTINATION)).isEqualTo("default");
        assertThat(request.getAttributes().get(EVENTS)).isEqualTo(2L);
        assertThat(request.getAttributes().get(STATUS)).isEqualTo(202L);
        return request;
    }

    @Test
    void aChunkIsOneTraceWithItsRequestsSpan() {
        assertThat(requestSpanOfTheOneBatch().getAttributes().get(ATTEMPTS)).isEqualTo(1L);
    }

    @Test
    void aRedeliveredRequestCountsItsAttempts() {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(503));

        assertThat(requestSpanOfTheOneBatch().getAttributes().get(ATTEMPTS)).isEqualTo(2L);
    }

    /** The mapping's span, under the pipeline's, ended before the batches are delivered, with what it made. */
    @Test
    void aChunksMappingIsASpanOfItsOwn() {
        inbox.drop("mixed.ndjson", """
                {"type":"track","userId":"u1","anonymousId":"a1","event":"E","timestamp":0}
                {"type":"alias","userId":"u1","previousId":"a1","timestamp":0}
                {"type":"page","userId":"u1","name":"Home","timestamp":0}
                {"type":"identify","userId":"u2","traits":{"plan":"free"},"timestamp":0}
                """);
        inbox.awaitDone("mixed.ndjson");
        await().atMost(Duration.ofSeconds(10)).until(() -> LAUNCHDARKLY.accepted().size() == 1);
        assertThat(LAUNCHDARKLY.accepted().values().iterator().next()).hasSize(2);
        List<SpanData> finished = SPANS.getFinishedSpanItems();
        SpanData map = only(finished, s -> s.getName().equals("map"));
        Map<String, SpanData> byId = finished.stream().filter(s -> s.getTraceId().equals(map.getTraceId()))
                .collect(Collectors.toMap(SpanData::getSpanId, s -> s));
        List<String> ancestors = new ArrayList<>();
        for (SpanData s = map; s != null; s = byId.get(s.getParentSpanId())) {
            ancestors.add(s.getName());
        }
        assertThat(ancestors).containsExactly("map", "pipeline", "pipeline");
        // the track and alias calls made LaunchDarkly events, the page call no mapping takes, and the identify call
        // without an anonymousId Alias User turns down
        assertThat(map.getAttributes().asMap()).isEqualTo(Map.of(
                INPUT, "mixed.ndjson",
                SEGMENT_EVENTS, 4L,
                EVENTS, 2L,
                FILTERED, 1L,
                REJECTED, 1L));
        SpanData deliver = only(finished, s -> s.getName().equals("deliver")
                && s.getParentSpanId().equals(map.getParentSpanId()));
        assertThat(map.getEndEpochNanos()).isLessThanOrEqualTo(deliver.getStartEpochNanos());
    }

    private static SpanData only(List<SpanData> spans, Predicate<SpanData> which) {
        List<SpanData> found = spans.stream().filter(which).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }
}
