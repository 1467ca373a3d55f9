package io.github.segmentld.config;

import java.time.Duration;
import java.util.List;

/**
 * One alert rule of the alert rules file: what it watches on a destination instance, when it fires and where it says
 * so.
 *
 * @param mapping        one mapping of the destination (delivery-rate only); null for all its events
 * @param threshold      delivery-rate: the rate in percent below which it fires
 * @param resolveAbove   delivery-rate: the rate in percent it must reach again to resolve (above the threshold, so
 *                       that a rate hovering at the threshold does not flap)
 * @param window         delivery-rate: the time the rate is computed over; no-delivery: the time without a delivery
 * @param minOutcomes    delivery-rate: the delivery outcomes the window must hold before the rate is judged
 * @param maxAge         retry-queue-age: the age of the oldest waiting event beyond which it fires
 * @param pendingFor     how long the condition must hold before it fires ({@code for} in the file)
 * @param repeatInterval the least time between two firing notices of the rule: a reminder while it stays firing, and a
 *                       cooldown when it fires again soon after resolving
 * @param channels       the channels it notifies besides the log
 */
public record AlertRule(String name, Kind kind, String destination, String mapping, double threshold,
                        double resolveAbove, Duration window, long minOutcomes, Duration maxAge, Duration pendingFor,
                        Duration repeatInterval, String severity, List<String> channels) {

    public AlertRule {
        channels = List.copyOf(channels);
    }

    public enum Kind {
        /** Delivered events over delivery outcomes below a threshold. */
        DELIVERY_RATE("delivery-rate"),
        /** The oldest event waiting in the destination's retry queue older than a limit. */
        RETRY_QUEUE_AGE("retry-queue-age"),
        /** No event delivered for a time while events for the destination keep arriving. */
        NO_DELIVERY("no-delivery");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
