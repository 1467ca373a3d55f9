package io.github.segmentld.ingest;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a dropped file as a stream of {@link EventChunk}s. It accepts, by content and name: newline-delimited JSON
 * ({@code .ndjson}, {@code .jsonl}, or any file whose first line is a complete JSON object), a JSON array of events,
 * a single event, a Segment batch object, and any of these gzipped (recognised by the gzip magic bytes, as Segment's
 * S3 destination writes {@code .gz} files). Only one chunk per reader is built at a time, so memory stays flat
 * whatever the file size.
 */
public class SegmentFileReader {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentFileReader.class);
    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;
    private static final int IO_BUFFER = 64 * 1024;

    private final ObjectMapper mapper;
    private final int chunkSize;
    private final int maxLineBytes;
    private final Duration progressInterval;

    public SegmentFileReader(ObjectMapper mapper, int chunkSize, int maxLineBytes, Duration progressInterval) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("pipeline.chunk-size must be at least 1, was " + chunkSize);
        }
        this.mapper = mapper;
        this.chunkSize = chunkSize;
        this.maxLineBytes = maxLineBytes;
        this.progressInterval = progressInterval;
    }

    /** Opens the file; the returned iterator is closed by the splitter that consumes it. */
    public Iterator<EventChunk> read(File file) throws IOException {
        InputSource source = new InputSource(file.getName(),
                file.getName() + "|" + file.length() + "|" + file.lastModified(), "line", file.lastModified());
        InputStream in = open(file);
        // What the readers skip is recorded with the chunk being read, when that chunk is settled.
        List<Rejection> skipped = new ArrayList<>();
        try {
            return new ChunkIterator(eventsOf(source, in, (input, position, reason, raw)
                    -> skipped.add(Rejection.unreadable(input, position, reason, raw))), skipped);
        } catch (UnreadableInputException | RuntimeException e) {
            in.close();
            throw e;
        } catch (IOException e) {
            in.close();
            throw new UnreadableInputException("unreadable: " + e.getMessage(), e);
        }
    }

    private static InputStream open(File file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file.toPath()), IO_BUFFER);
        raw.mark(2);
        boolean gzip = raw.read() == GZIP_MAGIC_1 && raw.read() == GZIP_MAGIC_2;
        raw.reset();
        if (!gzip) {
            return raw;
        }
        try {
            return new BufferedInputStream(new GZIPInputStream(raw, IO_BUFFER), IO_BUFFER);
        } catch (IOException notGzip) {
            raw.close();
            throw new UnreadableInputException("starts like gzip but is not: " + notGzip.getMessage(), notGzip);
        }
    }

    private EventSource eventsOf(InputSource source, InputStream in, SkippedRecords skipped) throws IOException {
        String lower = source.name().toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) {
            return lines(source, in, skipped);
        }
        int first = firstSignificantByte(in);
        if (first == -1) {
            return lines(source, in, skipped);
        }
        if (first == '[') {
            JsonParser parser = mapper.createParser(in);
            parser.nextToken();
            return new JsonStreamEvents(parser, true, mapper, counting(source, "item"), skipped);
        }
        if (first != '{') {
            throw new UnreadableInputException("not Segment JSON: the content starts with '" + (char) first
                    + "', expected '{' or '['");
        }
        if (firstLineIsCompleteJson(in)) {
            return lines(source, in, skipped);
        }
        return new JsonStreamEvents(mapper.createParser(in), false, mapper, counting(source, "document"), skipped);
    }

    private EventSource lines(InputSource source, InputStream in, SkippedRecords skipped) {
        return new LineDelimitedEvents(in, mapper, maxLineBytes, source, skipped);
    }

    private static InputSource counting(InputSource source, String positionUnit) {
        return new InputSource(source.name(), source.id(), positionUnit, source.receivedAt());
    }

    /** Skips a byte-order mark and leading white space; returns the first other byte without consuming it. */
    private static int firstSignificantByte(InputStream in) throws IOException {
        while (true) {
            in.mark(3);
            int b = in.read();
            if (b == 0xEF) {
                if (in.read() == 0xBB && in.read() == 0xBF) {
                    continue;
                }
                in.reset();
                return b;
            }
            if (b == -1 || !Character.isWhitespace(b)) {
                if (b != -1) {
                    in.reset();
                }
                return b;
            }
        }
    }

    /** Newline-delimited JSON is told from a pretty-printed document by whether its first line parses on its own. */
    private boolean firstLineIsCompleteJson(InputStream in) throws IOException {
        in.mark(maxLineBytes + LineReader.BUFFER_BYTES + 2);
        try {
            LineReader first = new LineReader(in, maxLineBytes);
            if (!first.next() || first.truncated()) {
                return false;
            }
            try (JsonParser parser = mapper.createParser(first.bytes(), 0, first.length())) {
                parser.skipChildren();
                int depth = 0;
                for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                    if (token.isStructStart()) {
                        depth++;
                    } else if (token.isStructEnd()) {
                        depth--;
                    }
                }
                return depth == 0;
            } catch (IOException incomplete) {
                return false;
            }
        } finally {
            in.reset();
        }
    }

    /** Groups events into chunks, each with the records skipped while it was read, and logs progress on long inputs. */
    private final class ChunkIterator implements Iterator<EventChunk>, Closeable {

        private final String name;
        private final EventSource events;
        private final List<Rejection> skipped;
        private final long started = System.nanoTime();
        private long lastProgress = started;
        private long count;
        private int chunks;
        private EventChunk next;
        private boolean done;

        ChunkIterator(EventSource events, List<Rejection> skipped) {
            this.name = events.source().name();
            this.events = events;
            this.skipped = skipped;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = readChunk();
            }
            return next != null;
        }

        @Override
        public EventChunk next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            EventChunk chunk = next;
            next = null;
            return chunk;
        }

        private EventChunk readChunk() {
            List<SegmentEvent> batch = new ArrayList<>(chunkSize);
            try {
                while (batch.size() < chunkSize) {
                    SegmentEvent event = events.next();
                    if (event == null) {
                        done = true;
                        break;
                    }
                    batch.add(event);
                }
            } catch (IOException e) {
                done = true;
                throw new UncheckedIOException(new UnreadableInputException(
                        "unreadable after " + (count + batch.size()) + " events: " + e.getMessage(), e));
            }
            if (batch.isEmpty() && skipped.isEmpty()) {
                return null;
            }
            count += batch.size();
            logProgress();
            EventChunk chunk = new EventChunk(events.source(), chunks++, batch, skipped);
            skipped.clear();
            return chunk;
        }

        private void logProgress() {
            long now = System.nanoTime();
            if (now - lastProgress >= progressInterval.toNanos()) {
                lastProgress = now;
                double seconds = (now - started) / 1e9;
                LOG.info("{}: {} events read so far ({} events/s)", name, count, Math.round(count / seconds));
            }
        }

        @Override
        public void close() throws IOException {
            events.close();
            double seconds = (System.nanoTime() - started) / 1e9;
            LOG.info("{}: {} events read in {} chunks in {} s", name, count, chunks, String.format(Locale.ROOT, "%.1f", seconds));
        }
    }
}
