package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.InputStream;

/** The content of an input file, which can be opened more than once: decompressed when the file is gzipped. */
@FunctionalInterface
interface FileContent {

    InputStream open() throws IOException;
}
