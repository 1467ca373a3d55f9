package io.github.segmentld.model;

/**
 * Where a chunk of events came from.
 *
 * @param name         how the input is named in logs and records: a file name, control characters escaped
 * @param id           identifies this input across re-reads: batch payload IDs are derived from it, so re-reading
 *                     the same input after a crash produces the same payload IDs and LaunchDarkly drops the repeats
 * @param positionUnit what a {@link SegmentEvent#position()} counts ("line", "item" or "document")
 * @param receivedAt   when the input arrived, in epoch milliseconds (a file's modification time): the time given to
 *                     events without a readable timestamp, so that re-reading an input yields identical batches
 */
public record InputSource(String name, String id, String positionUnit, long receivedAt) {
}
