package io.github.segmentld.observe;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The project's counters, published with Camel's own metrics on {@code /observe/metrics}. In Prometheus' naming:
 * <ul>
 * <li>{@code segment_events_received_total}: events read from any input;</li>
 * <li>{@code segment_events_filtered_total{reason,type}}: events that no mapping applies to, or that the
 * integrations object turns away from this destination;</li>
 * <li>{@code segment_events_rejected_total{reason}}: unreadable records and events that fail an action's validation;</li>
 * <li>{@code mapping_events_matched_total{destination,mapping}}: events a mapping's trigger matched, and
 * {@code mapping_events_invalid_total{destination,mapping}}: those of them its action's validation turned down;</li>
 * <li>{@code launchdarkly_events_delivered_total{destination}}, {@code launchdarkly_batches_delivered_total{destination}};</li>
 * <li>{@code launchdarkly_batches_retried_total{destination}}: redeliveries in line;</li>
 * <li>{@code launchdarkly_batches_parked_total{destination}}, {@code launchdarkly_events_parked_total{destination}}:
 * batches written to the destination's retry queue; {@code launchdarkly_events_drained_total{destination}}: events
 * delivered from it;</li>
 * <li>{@code launchdarkly_retry_queue_batches}, {@code _events}, {@code _bytes} and {@code _oldest_age_seconds}
 * {@code {destination}}: what waits in each retry queue; {@code launchdarkly_circuit_state{destination}}: 0 closed,
 * 1 open, 2 half-open;</li>
 * <li>{@code launchdarkly_batches_split_total{destination}}: batches halved after a 413;</li>
 * <li>{@code launchdarkly_events_dead_lettered_total{destination,status}}: events written to the dead-letter store;</li>
 * <li>{@code http_requests_throttled_total}: HTTP requests answered 503 because the backlog is over its limit;</li>
 * <li>{@code spool_backlog_bytes}: bytes accepted and waiting for delivery;</li>
 * <li>{@code delivery_log_pending_bytes}: what waits for the delivery log's writer, in bytes (roughly), and
 * {@code delivery_log_records_dropped_total}: records it could not write (behind, or its database failing).</li>
 * </ul>
 */
public class PipelineMetrics {

    private final MeterRegistry registry;
    private final Counter received;

    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.received = registry.counter("segment.events.received");
    }

    public void received(int events) {
        received.increment(events);
    }

    public void filtered(String reason, String type, int events) {
        registry.counter("segment.events.filtered", "reason", reason, "type", type).increment(events);
    }

    public void rejected(String reason) {
        registry.counter("segment.events.rejected", "reason", reason).increment();
    }

    public void matched(String destination, String mapping, int events) {
        registry.counter("mapping.events.matched", "destination", destination, "mapping", mapping).increment(events);
    }

    public void invalid(String destination, String mapping) {
        registry.counter("mapping.events.invalid", "destination", destination, "mapping", mapping).increment();
    }

    public void delivered(String destination, int events) {
        registry.counter("launchdarkly.batches.delivered", "destination", destination).increment();
        registry.counter("launchdarkly.events.delivered", "destination", destination).increment(events);
    }

    public void retried(String destination) {
        registry.counter("launchdarkly.batches.retried", "destination", destination).increment();
    }

    public void split(String destination) {
        registry.counter("launchdarkly.batches.split", "destination", destination).increment();
    }

    public void throttled() {
        registry.counter("http.requests.throttled").increment();
    }

    public void gauge(String name, AtomicLong value) {
        registry.gauge(name, value);
    }

    /** A gauge of a destination instance, read when the metrics are scraped. */
    public void gauge(String name, String destination, DoubleSupplier value) {
        Gauge.builder(name, value, DoubleSupplier::getAsDouble).tag("destination", destination).strongReference(true)
                .register(registry);
    }

    public void parked(String destination, int events) {
        registry.counter("launchdarkly.batches.parked", "destination", destination).increment();
        registry.counter("launchdarkly.events.parked", "destination", destination).increment(events);
    }

    public void drained(String destination, int events) {
        registry.counter("launchdarkly.events.drained", "destination", destination).increment(events);
    }

    public void deadLettered(String destination, String status, int events) {
        registry.counter("launchdarkly.events.dead.lettered", "destination", destination, "status", status).increment(events);
    }

    public void deliveryLogDropped(int records) {
        registry.counter("delivery.log.records.dropped").increment(records);
    }
}
