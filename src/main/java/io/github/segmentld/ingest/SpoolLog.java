package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.segmentld.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's segment being written: lines are appended to it and synced to disk before {@link #append} returns;
 * appends that arrive while a sync runs share the next one (group commit). The first sync of a segment also syncs the
 * spool folder, so that the new file's name outlives a power cut as its bytes do. A segment rolls over into the inbox
 * when it reaches its size or its age, measured on the monotonic ticker (a clock stepped by NTP neither holds it back
 * nor rolls it early).
 * <p>
 * A write that fails is cut off again; a sync that fails fails every append that relied on it, and the segment is
 * cut back to what was synced and rolled.
 */
final class SpoolLog {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolLog.class);
    private static final DateTimeFormatter SEGMENT_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS").withZone(ZoneOffset.UTC);

    private final Path spoolDir;
    private final Path inboxDir;
    private final long maxSegmentBytes;
    private final long maxSegmentAgeNanos;
    private final SegmentFiles files;
    /** Names the segments only: people read the time in them. */
    private final Clock clock;
    private final Ticker ticker;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition synced = lock.newCondition();
    private FileChannel segment;
    private Path segmentPath;
    private long segmentOpenedAtNanos;
    /** Whether the spool folder was synced since the current segment was created in it. */
    private boolean segmentNamed;
    /** Counts segments, so that an append waiting for its sync can tell that its segment was rolled or abandoned. */
    private long generation;
    /** For the last segments closed: how much of each is on disk (all of a rolled one, the synced part of another). */
    private final Map<Long, Long> closedGenerations = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > 64;
        }
    };
    private volatile long written;
    private long syncedUpTo;
    private boolean syncing;
    private long sequence;

    SpoolLog(Path spoolDir, Path inboxDir, long maxSegmentBytes, long maxSegmentAgeMillis, SegmentFiles files,
             Clock clock, Ticker ticker) {
        this.spoolDir = spoolDir;
        this.inboxDir = inboxDir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.maxSegmentAgeNanos = TimeUnit.MILLISECONDS.toNanos(maxSegmentAgeMillis);
        this.files = files;
        this.clock = clock;
        this.ticker = ticker;
    }

    /** The bytes of the current segment, not yet in the inbox. */
    long unrolledBytes() {
        return written;
    }

    /** Appends a whole line and returns once it is on disk; rolls the segment when it is full. */
    void append(byte[] line) throws IOException {
        lock.lock();
        try {
            long end = write(line);
            long mine = generation;
            syncUpTo(end, mine);
            if (segment != null && written >= maxSegmentBytes && generation == mine) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Rolls the current segment into the inbox if it is older than the maximum age. */
    void rollIfOld() throws IOException {
        lock.lock();
        try {
            if (segment != null && written > 0 && ticker.nanos() - segmentOpenedAtNanos >= maxSegmentAgeNanos) {
                syncUpTo(written, generation);
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Rolls the current segment into the inbox, whatever its size and age (at a clean stop). */
    void rollNow() throws IOException {
        lock.lock();
        try {
            if (segment != null) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes a line at the end of the segment; a write that fails is cut off, so no partial line stays. */
    private long write(byte[] line) throws IOException {
        if (segment == null) {
            open();
        }
        long start = written;
        ByteBuffer buffer = ByteBuffer.wrap(line);
        try {
            while (buffer.hasRemaining()) {
                segment.write(buffer);
            }
        } catch (IOException writeFailed) {
            try {
                segment.truncate(start);
                segment.position(start);
            } catch (IOException cutFailed) {
                abandon("a write failed and could not be cut off: " + cutFailed.getMessage());
            }
            throw writeFailed;
        }
        written = start + line.length;
        return written;
    }

    /**
     * Waits until the segment is synced at least up to {@code position}, syncing it unless another append does. A
     * failed sync abandons the segment: every append waiting on it fails.
     */
    private void syncUpTo(long position, long ofGeneration) throws IOException {
        while (generation != ofGeneration || syncedUpTo < position) {
            if (generation != ofGeneration) {
                if (closedGenerations.getOrDefault(ofGeneration, 0L) >= position) {
                    return;
                }
                throw new IOException("the spool segment could not be synced to disk");
            }
            if (syncing) {
                synced.awaitUninterruptibly();
                continue;
            }
            syncing = true;
            long target = written;
            FileChannel channel = segment;
            boolean nameToSync = !segmentNamed;
            IOException failure = null;
            lock.unlock();
            try {
                channel.force(false);
                if (nameToSync) {
                    files.syncDirectory(spoolDir);
                }
            } catch (IOException e) {
                failure = e;
            } finally {
                lock.lock();
                syncing = false;
                synced.signalAll();
            }
            if (failure != null) {
                abandon("a sync failed: " + failure.getMessage());
                throw failure;
            }
            segmentNamed = true;
            syncedUpTo = Math.max(syncedUpTo, target);
        }
    }

    /**
     * Gives up the current segment after a failure: it is cut back to what was synced (every append after that fails
     * and is sent again by its client) and rolled into the inbox; the next append opens a new one.
     */
    private void abandon(String why) {
        LOG.error("Spool segment {}: {}. Requests not yet synced are answered 503; the segment is cut back to the {} bytes"
                + " synced.", segmentPath, why, syncedUpTo);
        closedGenerations.put(generation, syncedUpTo);
        generation++;
        try {
            segment.truncate(syncedUpTo);
            segment.force(true);
            segment.close();
            if (syncedUpTo > 0) {
                files.move(segmentPath, inboxDir.resolve(segmentPath.getFileName()));
            } else {
                Files.delete(segmentPath);
            }
        } catch (IOException e) {
            // Left in the spool folder: at the next start it is cut after its last whole line and moved into the
            // inbox; the messageIds in it are remembered, so the clients' retries are not accepted twice.
            LOG.error("Spool segment {} could not be cut back ({}); it stays in {} until the next start", segmentPath,
                    e.getMessage(), spoolDir);
        }
        segment = null;
        segmentPath = null;
        written = 0;
        synced.signalAll();
    }

    private void open() throws IOException {
        Files.createDirectories(spoolDir);
        segmentOpenedAtNanos = ticker.nanos();
        segmentPath = spoolDir.resolve(SpoolLines.SEGMENT_PREFIX + SEGMENT_TIME.format(clock.instant())
                + "-" + (sequence++) + SpoolLines.SEGMENT_SUFFIX);
        segment = files.create(segmentPath);
        segmentNamed = false;
        generation++;
        written = 0;
        syncedUpTo = 0;
    }

    private void roll() throws IOException {
        while (syncing) {
            synced.awaitUninterruptibly();
        }
        if (segment == null) {
            return; // rolled by another append while this one waited for the sync to end
        }
        segment.force(true);
        segment.close();
        files.move(segmentPath, inboxDir.resolve(segmentPath.getFileName()));
        segment = null;
        segmentPath = null;
        closedGenerations.put(generation, written);
        generation++;
        written = 0;
        synced.signalAll();
    }
}
