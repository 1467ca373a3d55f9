package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.InputStream;

/** The content of an input, which can be opened more than once, each time from its start. */
@FunctionalInterface
public interface FileContent {

    InputStream open() throws IOException;
}
