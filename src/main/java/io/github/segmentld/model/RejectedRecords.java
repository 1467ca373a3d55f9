package io.github.segmentld.model;

/**
 * Where a reader reports a record it rejects and skips: a bad line, an array item that is not an event, an event the
 * Tracking API refuses.
 */
@FunctionalInterface
public interface RejectedRecords {

    void reject(InputSource source, long position, String reason, String raw);
}
