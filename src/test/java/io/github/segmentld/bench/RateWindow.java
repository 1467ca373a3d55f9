package io.github.segmentld.bench;

import java.util.List;
import java.util.Map;

/**
 * The rate of a run taken between two marks of its progress: once every instance has delivered its warm-up events, and
 * 90% of the run's events. Neither the start-up (JVMs starting and compiling their hot code, consumers joining the
 * group) nor the tail (the last partitions finishing alone) is in it, and every instance is as warm when it opens,
 * however many instances share the events.
 */
final class RateWindow {

    static final double TO = 0.90;

    /** What had been counted at a moment: events delivered by then, at {@code nanos} (System.nanoTime). */
    record Sample(long nanos, long count) {
    }

    /** The first sample at the start mark and the first at the end mark. */
    record Window(Sample from, Sample to) {

        long count() {
            return to.count - from.count;
        }

        double seconds() {
            return (to.nanos - from.nanos) / 1e9;
        }

        /** Events per second between the marks; NaN when they fall in the same sample. */
        double rate() {
            return to.nanos == from.nanos ? Double.NaN : count() / seconds();
        }
    }

    private RateWindow() {
    }

    /**
     * The window from the first sample at or after {@code startNanos} to the first at {@link #TO} of {@code total}, in
     * samples taken in order of time, their counts never decreasing; null when the samples do not reach both, or reach
     * the end mark first.
     */
    static Window from(List<Sample> samples, long startNanos, long total) {
        int start = -1;
        for (int i = 0; i < samples.size() && start < 0; i++) {
            if (samples.get(i).nanos >= startNanos) {
                start = i;
            }
        }
        int to = firstAtLeast(samples, Math.round(total * TO));
        return start < 0 || to <= start ? null : new Window(samples.get(start), samples.get(to));
    }

    /**
     * When each of several counts (the instances' own) had reached {@code count}: the latest of their first samples at
     * it; -1 when one of them never did.
     */
    static long allReached(Map<String, List<Sample>> counts, long count) {
        long latest = Long.MIN_VALUE;
        for (List<Sample> samples : counts.values()) {
            int reached = firstAtLeast(samples, count);
            if (reached < 0) {
                return -1;
            }
            latest = Math.max(latest, samples.get(reached).nanos);
        }
        return counts.isEmpty() ? -1 : latest;
    }

    /** The index of the first sample whose count is at least {@code count}; -1 if none is. */
    static int firstAtLeast(List<Sample> samples, long count) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).count >= count) {
                return i;
            }
        }
        return -1;
    }
}
