package io.github.segmentld.model;

/** Where a reader reports a record it skips (a bad line, an array item that is not an event). */
@FunctionalInterface
public interface SkippedRecords {

    void skipped(InputSource source, long position, String reason, String raw);
}
