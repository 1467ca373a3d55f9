package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import io.opentelemetry.api.GlobalOpenTelemetry;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With the settings as they are (tracing off), a delivery starts nothing of OpenTelemetry. */
class TracingOffContractTest extends ContractTestSupport {

    /** A test class before this one in the same JVM may have set the global instance. */
    @BeforeAll
    static void noGlobalInstance() {
        GlobalOpenTelemetry.resetForTest();
    }

    @Test
    void aDeliveryAsksNothingOfOpenTelemetry() {
        inbox.drop("two.ndjson", """
                {"type":"track","userId":"u1","event":"E","timestamp":0}
                {"type":"track","userId":"u2","event":"E","timestamp":0}
                """);
        inbox.awaitDone("two.ndjson");
        await().atMost(Duration.ofSeconds(10)).until(() -> LAUNCHDARKLY.accepted().size() == 1);

        // Camel's tracer is not installed, and nothing asked for the global instance, whose first use would start the
        // SDK's autoconfiguration (exporter, span processor thread): no SDK, so nothing to export
        assertThat(context.hasService(OpenTelemetryTracer.class)).isNull();
        assertThat(GlobalOpenTelemetry.isSet()).isFalse();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("BatchSpanProcessor"));
    }
}
