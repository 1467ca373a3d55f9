package io.github.segmentld.bench;

import java.util.List;

/**
 * The rate of a run taken between two marks of its progress (a start mark, and 90% of its events), so that neither the
 * start-up (JVMs starting and compiling their hot code, consumers joining the group) nor the tail (the last partitions
 * finishing alone) is in it.
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
     * The window between {@code from} and {@link #TO} of {@code total} in samples taken in order of time, their counts
     * never decreasing; null when the samples do not reach the end mark.
     */
    static Window of(List<Sample> samples, long total, double from) {
        if (from < 0 || from >= TO) {
            throw new IllegalArgumentException("the start mark must be at least 0 and below " + TO + ": " + from);
        }
        int start = firstAtLeast(samples, Math.round(total * from));
        int to = firstAtLeast(samples, Math.round(total * TO));
        return start < 0 || to < 0 ? null : new Window(samples.get(start), samples.get(to));
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
