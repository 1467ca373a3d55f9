package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable log in front of the pipeline for events that arrive over HTTP. Accepted events are appended to the
 * current segment (NDJSON) and synced to disk before the request is answered; requests that arrive while a sync runs
 * share the next one (group commit). A segment rolls over, by size or age, into the inbox, where the file route
 * takes it like any dropped file. Segments left by a crash are moved into the inbox at start.
 */
public class Spool extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final DateTimeFormatter SEGMENT_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS").withZone(ZoneOffset.UTC);

    private final Path spoolDir;
    private final Path inboxDir;
    private final long maxSegmentBytes;
    private final long maxSegmentAgeMillis;
    private final long maxBacklogBytes;
    private final int retryAfterSeconds;
    private final PipelineMetrics metrics;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition synced = lock.newCondition();
    private FileChannel segment;
    private Path segmentPath;
    private long segmentOpenedAt;
    private long written;
    private long syncedUpTo;
    private boolean syncing;
    private long sequence;
    private final AtomicLong backlogBytes = new AtomicLong();

    public Spool(Path spoolDir, Path inboxDir, long maxSegmentBytes, long maxSegmentAgeMillis, long maxBacklogBytes,
                 int retryAfterSeconds, PipelineMetrics metrics, Clock clock) {
        this.spoolDir = spoolDir;
        this.inboxDir = inboxDir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.maxSegmentAgeMillis = maxSegmentAgeMillis;
        this.maxBacklogBytes = maxBacklogBytes;
        this.retryAfterSeconds = retryAfterSeconds;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("spool.backlog.bytes", backlogBytes);
    }

    /** Moves segments a previous run left behind into the inbox: what they hold was acknowledged. */
    @Override
    protected void doStart() throws IOException {
        Files.createDirectories(spoolDir);
        Files.createDirectories(inboxDir);
        try (DirectoryStream<Path> left = Files.newDirectoryStream(spoolDir, "*.ndjson")) {
            for (Path segmentFile : left) {
                if (Files.size(segmentFile) > 0) {
                    LOG.info("Moving spool segment {} left by the previous run into the inbox", segmentFile.getFileName());
                    Files.move(segmentFile, inboxDir.resolve(segmentFile.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.delete(segmentFile);
                }
            }
        }
        measureBacklog();
    }

    /** On a clean stop, the current segment goes into the inbox too. */
    @Override
    protected void doStop() throws IOException {
        lock.lock();
        try {
            if (segment != null) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new events while the backlog waiting for delivery is over its limit (LaunchDarkly down for long). */
    public void checkCapacity() {
        if (backlogBytes.get() > maxBacklogBytes) {
            metrics.throttled();
            throw new RefusedRequestException(503, "the backlog waiting for delivery is over " + maxBacklogBytes
                    + " bytes; try again later", retryAfterSeconds);
        }
    }

    /** Appends the events and returns once they are on disk. */
    public void append(List<byte[]> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        int size = events.stream().mapToInt(e -> e.length + 1).sum();
        ByteBuffer buffer = ByteBuffer.allocate(size);
        events.forEach(e -> buffer.put(e).put((byte) '\n'));
        buffer.flip();
        lock.lock();
        try {
            if (segment == null) {
                open();
            }
            while (buffer.hasRemaining()) {
                segment.write(buffer);
            }
            written += size;
            long mine = written;
            Path mySegment = segmentPath;
            syncUpTo(mine, mySegment);
            if (written >= maxSegmentBytes && segmentPath == mySegment) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Rolls the current segment into the inbox if it is older than the maximum age; called by a timer. */
    public void rollIfOld() throws IOException {
        lock.lock();
        try {
            if (segment != null && written > 0 && clock.millis() - segmentOpenedAt >= maxSegmentAgeMillis) {
                syncUpTo(written, segmentPath);
                roll();
            }
        } finally {
            lock.unlock();
        }
        measureBacklog();
    }

    /** Waits until the segment is synced at least up to {@code position}, syncing it unless another request does. */
    private void syncUpTo(long position, Path forSegment) throws IOException {
        while (syncedUpTo < position && segmentPath == forSegment) {
            if (syncing) {
                synced.awaitUninterruptibly();
                continue;
            }
            syncing = true;
            long target = written;
            FileChannel channel = segment;
            lock.unlock();
            try {
                channel.force(false);
            } finally {
                lock.lock();
                syncing = false;
                syncedUpTo = Math.max(syncedUpTo, target);
                synced.signalAll();
            }
        }
    }

    private void open() throws IOException {
        Files.createDirectories(spoolDir);
        segmentOpenedAt = clock.millis();
        segmentPath = spoolDir.resolve("http-" + SEGMENT_TIME.format(Instant.ofEpochMilli(segmentOpenedAt)) + "-"
                + (sequence++) + ".ndjson");
        segment = FileChannel.open(segmentPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        written = 0;
        syncedUpTo = 0;
    }

    private void roll() throws IOException {
        while (syncing) {
            synced.awaitUninterruptibly();
        }
        if (segment == null) {
            return; // rolled by another request while this one waited for the sync to end
        }
        segment.force(true);
        segment.close();
        Files.move(segmentPath, inboxDir.resolve(segmentPath.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        segment = null;
        segmentPath = null;
        synced.signalAll();
    }

    private void measureBacklog() {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(inboxDir)) {
            for (Path file : files) {
                try {
                    total += Files.size(file);
                } catch (NoSuchFileException committedMeanwhile) {
                    // the file route moved it to the done folder
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the inbox backlog in " + inboxDir, e);
        }
        long before = backlogBytes.getAndSet(total + written);
        if ((before > maxBacklogBytes) != (total + written > maxBacklogBytes)) {
            if (total + written > maxBacklogBytes) {
                LOG.warn("Backlog of {} bytes is over the limit of {}: HTTP requests are answered 503 with Retry-After {} s",
                        total + written, maxBacklogBytes, retryAfterSeconds);
            } else {
                LOG.info("Backlog back under the limit ({} bytes): accepting HTTP requests again", total + written);
            }
        }
    }
}
