package io.github.segmentld.ingest;

import java.io.Closeable;
import java.io.IOException;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;

/** Pulls Segment events out of one input, one at a time, recording the records it has to skip. */
interface EventSource extends Closeable {

    /**
     * Reads the next record: returns its next event, or null when it held none (a record skipped, a blank line) or
     * at the end of the input ({@link #atEnd()}). One record at a time, so that the caller can bound what it holds of
     * the records skipped.
     */
    SegmentEvent next() throws IOException;

    /** True once the input is read to its end. */
    boolean atEnd();

    /** The input, as named in chunks and rejection records. */
    InputSource source();

    /**
     * Where the reading stands, for the report of a break in the input: the line, or the item and the parser's line,
     * column and byte offset (in the decompressed content of a gzipped file).
     */
    String location();
}
