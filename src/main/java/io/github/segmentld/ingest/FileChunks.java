package io.github.segmentld.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunks of one input file, read as they are taken: its events in groups of a bounded size, each chunk with the
 * records skipped while it was read (as many at most as the chunk's size); progress is logged on long inputs. An input that breaks off (a truncated gzip, a
 * JSON syntax error) ends its chunks at the break, the events read before it in the last one. Taking the chunks
 * never fails because of the input: a consumer that stopped at a failure could leave chunks read before it
 * unprocessed. {@link #requireReadToTheEnd()}, called once every chunk is processed, fails instead.
 */
public final class FileChunks implements Iterator<EventChunk>, Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(FileChunks.class);

    private final String name;
    private final EventSource events;
    private final List<Rejection> skipped;
    private final int chunkSize;
    private final Duration progressInterval;
    private final long started = System.nanoTime();
    private long lastProgress = started;
    private long count;
    private int chunks;
    private EventChunk next;
    private boolean done;
    private UnreadableInputException brokenOff;

    /** @param skipped where {@code events} records what it skips; emptied into each chunk */
    FileChunks(EventSource events, List<Rejection> skipped, int chunkSize, Duration progressInterval) {
        this.name = events.source().name();
        this.events = events;
        this.skipped = skipped;
        this.chunkSize = chunkSize;
        this.progressInterval = progressInterval;
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

    /** Fails when the input broke off, with the reason and where the break is; else the input was read to its end. */
    public void requireReadToTheEnd() throws UnreadableInputException {
        if (brokenOff != null) {
            throw brokenOff;
        }
    }

    private EventChunk readChunk() {
        List<SegmentEvent> batch = new ArrayList<>(chunkSize);
        try {
            // Skipped records count like events: a file of garbage must not pile up its rejections in memory.
            while (batch.size() < chunkSize && skipped.size() < chunkSize) {
                SegmentEvent event = events.next();
                if (event != null) {
                    batch.add(event);
                } else if (events.atEnd()) {
                    done = true;
                    break;
                }
            }
        } catch (NewerFormatException newer) {
            done = true;
            brokenOff = newer;
            // left for the newer release whole: see NewerFormatException
            batch.clear();
            skipped.clear();
        } catch (IOException e) {
            done = true;
            String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            long read = count + batch.size();
            brokenOff = new UnreadableInputException("broken off after " + read + (read == 1 ? " event" : " events")
                    + ", at " + events.location() + ": " + reason, e);
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
