package io.github.segmentld;

import java.util.Map;

/**
 * The OpenTelemetry SDK behind {@code camel.opentelemetry2.enabled=true}: Camel's tracer takes the global instance,
 * which the SDK's autoconfiguration makes from the standard {@code OTEL_*} settings the first time it is asked for.
 * Tracing off, nothing asks, and nothing of the SDK starts. The defaults apply where the environment and the system
 * properties say nothing: traces only (the metrics are Prometheus', the logs the log files'), and a service name.
 */
final class TracingDefaults {

    private static final Map<String, String> DEFAULTS = Map.of(
            "otel.java.global-autoconfigure.enabled", "true",
            "otel.service.name", "segment-launchdarkly",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");

    private TracingDefaults() {
    }

    static void apply(Map<String, String> environment) {
        DEFAULTS.forEach((key, value) -> {
            if (System.getProperty(key) == null && !environment.containsKey(EnvironmentSettings.variableName(key))) {
                System.setProperty(key, value);
            }
        });
    }
}
