package io.github.segmentld.observe;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivery outcomes per minute, per destination instance and per mapping, for the last 24 hours: what the alert rules
 * judge, kept in memory whatever else is on (the delivery log, Prometheus). An event counts as delivered each time
 * LaunchDarkly accepts its batch, and as failed when its batch goes to the retry queue from the pipeline (its requests
 * failed, or the open circuit held it back) or to the dead letters without having been queued; filtered and rejected
 * events are not outcomes. Events that arrive for a destination (a mapping made them) are counted too, so that a rule
 * can tell "nothing delivered" from "nothing to deliver". Counts start from zero at each start.
 */
public class DeliveryRates {

    /** The longest window a rule may judge. */
    public static final Duration MAX_WINDOW = Duration.ofHours(24);
    private static final int MINUTES = (int) MAX_WINDOW.toMinutes() + 1;
    /** Reasons kept per minute and series: a flood of distinct reasons must not grow memory. */
    private static final int MAX_REASONS = 20;

    private final Clock clock;
    private final Map<Series, Minutes> series = new ConcurrentHashMap<>();

    public DeliveryRates(Clock clock) {
        this.clock = clock;
    }

    /** What happened to a destination's (or one of its mapping's) events over a window. */
    public record Totals(long delivered, long failed, long arrived, Map<String, Long> failureReasons) {

        public long outcomes() {
            return delivered + failed;
        }

        /** Delivered over outcomes, from 0 to 1; NaN without outcomes. */
        public double successRatio() {
            return outcomes() == 0 ? Double.NaN : (double) delivered / outcomes();
        }
    }

    public void delivered(String destination, Map<String, Integer> eventsByMapping) {
        eventsByMapping.forEach((mapping, events) -> add(destination, mapping, events, 0, 0, null));
    }

    public void failed(String destination, Map<String, Integer> eventsByMapping, String reason) {
        eventsByMapping.forEach((mapping, events) -> add(destination, mapping, 0, events, 0, reason));
    }

    public void arrived(String destination, String mapping, int events) {
        add(destination, mapping, 0, 0, events, null);
    }

    /**
     * The counts of the window that ends now (the current minute included), for the destination's events of one
     * mapping, or of all its mappings when mapping is null.
     */
    public Totals totals(String destination, String mapping, Duration window) {
        long minute = minute();
        long first = minute - Math.min(MINUTES - 1, Math.max(1, window.toMinutes()) - 1);
        long delivered = 0;
        long failed = 0;
        long arrived = 0;
        Map<String, Long> reasons = new HashMap<>();
        for (Map.Entry<Series, Minutes> entry : series.entrySet()) {
            Series key = entry.getKey();
            if (!key.destination.equals(destination) || (mapping != null && !mapping.equals(key.mapping))) {
                continue;
            }
            for (Bucket bucket : entry.getValue().between(first, minute)) {
                delivered += bucket.delivered;
                failed += bucket.failed;
                arrived += bucket.arrived;
                bucket.reasons.forEach((reason, count) -> reasons.merge(reason, count, Long::sum));
            }
        }
        return new Totals(delivered, failed, arrived, reasons);
    }

    private void add(String destination, String mapping, int delivered, int failed, int arrived, String reason) {
        Minutes minutes = series.computeIfAbsent(new Series(destination, mapping == null ? "" : mapping),
                key -> new Minutes());
        minutes.add(minute(), delivered, failed, arrived, reason);
    }

    private long minute() {
        return clock.millis() / 60_000;
    }

    /** An event from a retry queue written before mappings were kept with it has the mapping "". */
    private record Series(String destination, String mapping) {
    }

    /** A ring of a day's minutes; a slot is reset when a new minute takes it. */
    private static final class Minutes {

        private final Bucket[] ring = new Bucket[MINUTES];

        synchronized void add(long minute, int delivered, int failed, int arrived, String reason) {
            int slot = (int) (minute % MINUTES);
            Bucket bucket = ring[slot];
            if (bucket == null || bucket.minute != minute) {
                bucket = new Bucket(minute);
                ring[slot] = bucket;
            }
            bucket.delivered += delivered;
            bucket.failed += failed;
            bucket.arrived += arrived;
            if (reason != null && failed > 0
                    && (bucket.reasons.containsKey(reason) || bucket.reasons.size() < MAX_REASONS)) {
                bucket.reasons.merge(reason, (long) failed, Long::sum);
            }
        }

        synchronized List<Bucket> between(long first, long last) {
            List<Bucket> found = new ArrayList<>();
            for (Bucket bucket : ring) {
                if (bucket != null && bucket.minute >= first && bucket.minute <= last) {
                    found.add(bucket.copy());
                }
            }
            return found;
        }
    }

    private static final class Bucket {

        final long minute;
        long delivered;
        long failed;
        long arrived;
        final Map<String, Long> reasons = new LinkedHashMap<>();

        Bucket(long minute) {
            this.minute = minute;
        }

        Bucket copy() {
            Bucket copy = new Bucket(minute);
            copy.delivered = delivered;
            copy.failed = failed;
            copy.arrived = arrived;
            copy.reasons.putAll(reasons);
            return copy;
        }
    }
}
