package io.github.segmentld.launchdarkly;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The payload IDs accepted lately, as LaunchDarkly remembers them to drop a batch posted again: at most a number of
 * them, each for at most a while, the oldest forgotten first, so that memory stays bounded however long the stand-in
 * runs. Ages are measured on a monotonic clock ({@link System#nanoTime} in use), which a step of the wall clock does not
 * move.
 */
final class RecentPayloadIds {

    private final int capacity;
    private final long retentionNanos;
    private final LongSupplier nanoTime;
    /** Each ID with when it was first accepted, oldest first. */
    private final LinkedHashMap<String, Long> acceptedAt = new LinkedHashMap<>();

    RecentPayloadIds(int capacity, Duration retention, LongSupplier nanoTime) {
        if (capacity < 1 || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("the stand-in must remember at least one payload ID for some time, not "
                    + capacity + " for " + retention);
        }
        this.capacity = capacity;
        this.retentionNanos = retention.toNanos();
        this.nanoTime = nanoTime;
    }

    /** @return true when the ID is new (now remembered), false when it was accepted within the retention */
    synchronized boolean accept(String payloadId) {
        long now = nanoTime.getAsLong();
        for (Iterator<Map.Entry<String, Long>> oldest = acceptedAt.entrySet().iterator(); oldest.hasNext(); ) {
            if (now - oldest.next().getValue() < retentionNanos) {
                break;
            }
            oldest.remove();
        }
        if (acceptedAt.putIfAbsent(payloadId, now) != null) {
            return false;
        }
        if (acceptedAt.size() > capacity) {
            Iterator<String> oldest = acceptedAt.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return true;
    }

    synchronized int size() {
        return acceptedAt.size();
    }
}
