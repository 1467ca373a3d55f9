package io.github.segmentld.observe;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The project's counters, published with Camel's own metrics on {@code /observe/metrics}. In Prometheus' naming:
 * <ul>
 * <li>{@code segment_events_received_total}: events read from any input;</li>
 * <li>{@code segment_events_filtered_total{reason,type}}: events that no mapping applies to, or that the
 * integrations object turns away from this destination, or that an instance's consent categories stop (once per
 * instance);</li>
 * <li>{@code segment_events_rejected_total{reason}}: unreadable records and events that fail an action's validation;</li>
 * <li>{@code mapping_events_matched_total{destination,mapping}}: events a mapping's trigger matched, and
 * {@code mapping_events_invalid_total{destination,mapping}}: those of them its action's validation turned down;</li>
 * <li>{@code launchdarkly_events_delivered_total{destination}}, {@code launchdarkly_batches_delivered_total{destination}};</li>
 * <li>{@code launchdarkly_events_failed_total{destination}}: events whose batch failed, the failures of the delivery
 * rate the alert rules judge (see {@link DeliveryRates}: parked from the pipeline, or dead-lettered without having been
 * queued);</li>
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
 * <li>{@code state_database_writer_failures_total}: writes of the state database that threw an Error, and its
 * transactions that failed as a whole (a full disk).</li>
 * <li>{@code alert_state{rule}}: 0 not firing, 1 pending, 2 firing; {@code delivery_success_ratio{destination,window}}:
 * delivered over delivery outcomes (NaN without outcomes); {@code alert_notifications_sent_total{channel}},
 * {@code alert_notifications_failed_total{channel}} and {@code alert_channel_up{channel}} (0 while its last notice
 * failed).</li>
 * </ul>
 * Delivered, failed and matched events are also counted per minute in {@link DeliveryRates}, which the alert rules
 * read.
 */
public class PipelineMetrics {

    private final MeterRegistry registry;
    private final DeliveryRates rates;
    private final Counter received;

    public PipelineMetrics(MeterRegistry registry, DeliveryRates rates) {
        this.registry = registry;
        this.rates = rates;
        this.received = registry.counter("segment.events.received");
    }

    public PipelineMetrics(MeterRegistry registry) {
        this(registry, new DeliveryRates(Clock.systemUTC()));
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
        rates.arrived(destination, mapping, events);
    }

    public void invalid(String destination, String mapping) {
        registry.counter("mapping.events.invalid", "destination", destination, "mapping", mapping).increment();
    }

    public void delivered(String destination, Map<String, Integer> eventsByMapping) {
        registry.counter("launchdarkly.batches.delivered", "destination", destination).increment();
        registry.counter("launchdarkly.events.delivered", "destination", destination).increment(total(eventsByMapping));
        rates.delivered(destination, eventsByMapping);
    }

    /** A batch failed: parked from the pipeline, or dead-lettered without having been queued. */
    public void failed(String destination, Map<String, Integer> eventsByMapping, String reason) {
        registry.counter("launchdarkly.events.failed", "destination", destination).increment(total(eventsByMapping));
        rates.failed(destination, eventsByMapping, reason);
    }

    private static int total(Map<String, Integer> eventsByMapping) {
        return eventsByMapping.values().stream().mapToInt(Integer::intValue).sum();
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
        gauge(name, value, "destination", destination);
    }

    /** A gauge read when the metrics are scraped, with its tags as name, value, name, value... */
    public void gauge(String name, DoubleSupplier value, String... tags) {
        Gauge.builder(name, value, DoubleSupplier::getAsDouble).tags(tags).strongReference(true).register(registry);
    }

    /** A counter its owner keeps, read when the metrics are scraped (as long as the owner lives). */
    public <T> void counter(String name, T owner, ToLongFunction<T> total) {
        FunctionCounter.builder(name, owner, o -> total.applyAsLong(o)).register(registry);
    }

    /** An alert notice a channel took, or did not take after its redeliveries. */
    public void alertNotification(String channel, boolean sent) {
        registry.counter(sent ? "alert.notifications.sent" : "alert.notifications.failed", "channel", channel)
                .increment();
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

    /** A reload of the mappings and alert rules files: applied, or refused (the version in force stays). */
    public void mappingsReload(boolean applied) {
        registry.counter("mappings.reloads", "outcome", applied ? "applied" : "refused").increment();
    }

    public void deliveryLogDropped(int records) {
        registry.counter("delivery.log.records.dropped").increment(records);
    }
}
