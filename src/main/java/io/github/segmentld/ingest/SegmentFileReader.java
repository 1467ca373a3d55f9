package io.github.segmentld.ingest;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.RejectedRecords;
import org.apache.camel.ExchangeProperty;

/**
 * Reads a dropped file as a stream of {@link EventChunk}s. It accepts, by content and name: newline-delimited JSON
 * ({@code .ndjson}, {@code .jsonl}, or any file whose first line is a complete JSON object of at most
 * inbox.max-line-bytes), a JSON array of events, a single event, a Segment batch object (its batch array streamed like
 * an array), and any of these gzipped (recognised by the gzip magic bytes, as Segment's S3 destination writes
 * {@code .gz} files). Only one chunk per reader is built at a time, so memory stays flat whatever the file size.
 */
public class SegmentFileReader {

    /** The exchange property that holds the chunks of the file being read, from {@link #read} on. */
    public static final String CHUNKS = "fileChunks";

    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;
    private static final int IO_BUFFER = 64 * 1024;
    private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final ObjectMapper mapper;
    private final int chunkSize;
    private final int maxLineBytes;
    private final Duration progressInterval;
    private final InputIdentities identities;

    public SegmentFileReader(ObjectMapper mapper, int chunkSize, int maxLineBytes, Duration progressInterval,
                             InputIdentities identities) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("pipeline.chunk-size must be at least 1, was " + chunkSize);
        }
        this.mapper = mapper;
        this.chunkSize = chunkSize;
        this.maxLineBytes = maxLineBytes;
        this.progressInterval = progressInterval;
        this.identities = identities;
    }

    /**
     * Opens the file; the chunks are closed by the splitter that takes them. A symbolic link is not read, whatever it
     * points to: a link in the inbox could make the service read, and copy into its records, any file it may read.
     */
    public FileChunks read(File file) throws IOException {
        Path path = file.toPath();
        if (Files.isSymbolicLink(path)) {
            throw new UnreadableInputException("a symbolic link (to " + Files.readSymbolicLink(path)
                    + "), which is not followed: only files in the inbox itself are read");
        }
        InputSource source = new InputSource(ControlCharacters.escape(file.getName()), identities.of(file), "line",
                file.lastModified());
        return read(source, file.getName(), () -> Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Reads an input that is not an inbox file (an S3 object) as a file is read: by its content and its name.
     *
     * @param source identifies the input; its position unit is the one of newline-delimited content
     * @param stored opens the input's bytes as they are stored (gzipped or not), from the start, each time it is called
     */
    public FileChunks read(InputSource source, String name, FileContent stored) throws IOException {
        FileContent content = () -> decompressed(stored.open());
        PushbackInputStream in = new PushbackInputStream(content.open(), BYTE_ORDER_MARK.length);
        // What the readers skip is recorded with the chunk being read, when that chunk is settled.
        List<Rejection> rejected = new ArrayList<>();
        try {
            EventSource events = eventsOf(name, source, in, content, (input, position, reason, raw)
                    -> rejected.add(Rejection.unreadable(input, position, reason, raw)));
            return new FileChunks(events, rejected, chunkSize, progressInterval);
        } catch (UnreadableInputException | RuntimeException e) {
            in.close();
            throw e;
        } catch (IOException e) {
            in.close();
            throw new UnreadableInputException("unreadable: " + e.getMessage(), e);
        }
    }

    /** Fails, once every chunk read is processed, when the file broke off: see {@link FileChunks}. */
    public void requireReadToTheEnd(@ExchangeProperty(CHUNKS) FileChunks chunks) throws UnreadableInputException {
        chunks.requireReadToTheEnd();
    }

    /**
     * The content, decompressed when it starts with the gzip magic bytes. The gzip stream is not wrapped in a buffer
     * that fills itself with several reads: when the content breaks off, such a buffer drops what the reads before the
     * break returned.
     */
    private static InputStream decompressed(InputStream stored) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(stored, IO_BUFFER);
        raw.mark(2);
        boolean gzip = raw.read() == GZIP_MAGIC_1 && raw.read() == GZIP_MAGIC_2;
        raw.reset();
        if (!gzip) {
            return raw;
        }
        try {
            return new GZIPInputStream(raw, IO_BUFFER);
        } catch (IOException notGzip) {
            raw.close();
            throw new UnreadableInputException("starts like gzip but is not: " + notGzip.getMessage(), notGzip);
        }
    }

    private EventSource eventsOf(String fileName, InputSource source, PushbackInputStream in, FileContent content,
                                 RejectedRecords rejected) throws IOException {
        String lower = fileName.toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) {
            return lines(source, in, rejected);
        }
        int first = firstSignificantByte(in);
        if (first == -1) {
            return lines(source, in, rejected);
        }
        if (first == '[') {
            JsonParser parser = mapper.createParser(in);
            parser.nextToken();
            return new JsonStreamEvents(parser, true, content, mapper, counting(source, "item"), rejected);
        }
        if (first != '{') {
            throw new UnreadableInputException("not Segment JSON: the content starts with '" + (char) first
                    + "', expected '{' or '['");
        }
        if (firstLineIsCompleteJson(content)) {
            return lines(source, in, rejected);
        }
        return new JsonStreamEvents(mapper.createParser(in), false, content, mapper, counting(source, "document"), rejected);
    }

    private EventSource lines(InputSource source, InputStream in, RejectedRecords rejected) {
        return new LineDelimitedEvents(in, mapper, maxLineBytes, source, rejected);
    }

    private static InputSource counting(InputSource source, String positionUnit) {
        return new InputSource(source.name(), source.id(), positionUnit, source.receivedAt());
    }

    /** Skips a byte-order mark and leading white space; returns the first other byte without consuming it. */
    private static int firstSignificantByte(PushbackInputStream in) throws IOException {
        byte[] start = in.readNBytes(BYTE_ORDER_MARK.length);
        if (!Arrays.equals(start, BYTE_ORDER_MARK)) {
            in.unread(start);
        }
        while (true) {
            int b = in.read();
            if (b == -1 || !Character.isWhitespace(b)) {
                if (b != -1) {
                    in.unread(b);
                }
                return b;
            }
        }
    }

    /**
     * Newline-delimited JSON is told from a document by whether its first line holds a complete JSON value, within
     * inbox.max-line-bytes. This is looked at token by token on a stream of its own, so a first line of any length
     * costs no memory: a value that goes on past the first line or past the limit makes the file a document (a
     * compact batch object of any size included), which is then streamed.
     */
    private boolean firstLineIsCompleteJson(FileContent content) throws IOException {
        try (JsonParser parser = mapper.createParser(content.open())) {
            JsonLocation start = null;
            int depth = 0;
            try {
                parser.nextToken();
                start = parser.currentTokenLocation();
                depth = 1;
                while (depth > 0) {
                    JsonToken token = parser.nextToken();
                    if (token == null || !onTheSameLine(start, parser.currentTokenLocation())) {
                        return false;
                    }
                    if (token.isStructStart()) {
                        depth++;
                    } else if (token.isStructEnd()) {
                        depth--;
                    }
                }
                return parser.nextToken() == null || !onTheSameLine(start, parser.currentTokenLocation());
            } catch (JsonProcessingException invalid) {
                // A complete first line followed by a line that is not JSON is newline-delimited JSON with a bad line.
                return depth == 0 && start != null && invalid.getLocation() != null
                        && invalid.getLocation().getLineNr() != start.getLineNr();
            } catch (IOException brokenOff) {
                // read as a document, which reports where the content breaks off
                return false;
            }
        }
    }

    private boolean onTheSameLine(JsonLocation start, JsonLocation token) {
        return token.getLineNr() == start.getLineNr() && token.getByteOffset() - start.getByteOffset() < maxLineBytes;
    }
}
