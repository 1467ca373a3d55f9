package io.github.segmentld.ingest;

import java.io.Closeable;
import java.io.IOException;

/** Pulls Segment events out of one input, one at a time, recording the records it has to skip. */
interface EventSource extends Closeable {

    /** The next event, or null at the end of the input. */
    SegmentEvent next() throws IOException;

    /** The input, as named in chunks and rejection records. */
    InputSource source();

    /**
     * Where the reading stands, for the report of a break in the input: the line, or the item and the parser's line,
     * column and byte offset (in the decompressed content of a gzipped file).
     */
    String location();
}
