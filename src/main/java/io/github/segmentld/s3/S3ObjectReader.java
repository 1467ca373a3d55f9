package io.github.segmentld.s3;

import java.io.IOException;

import io.github.segmentld.ingest.FileChunks;
import io.github.segmentld.ingest.SegmentFileReader;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads an object as the inbox reads a file, through the same reader: by its content (gzipped or not; Segment's S3
 * destination writes gzipped newline-delimited JSON) and its name, streamed over GETs in chunks of
 * pipeline.chunk-size events. Its chunk keys and payload IDs come from its bucket, key and ETag ({@link S3Input#id()}).
 */
public class S3ObjectReader {

    private final S3Client client;
    private final SegmentFileReader reader;

    public S3ObjectReader(S3Client client, SegmentFileReader reader) {
        this.client = client;
        this.reader = reader;
    }

    /** Opens the object; the chunks are closed by the splitter that takes them. */
    public FileChunks read(S3Input object) throws IOException {
        return reader.read(object.source(), object.fileName(), () -> new ObjectStream(client, object));
    }
}
