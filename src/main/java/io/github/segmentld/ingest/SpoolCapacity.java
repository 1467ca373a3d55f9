package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import io.github.segmentld.observe.PipelineMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's guard against filling the disk: requests are refused (503 with Retry-After) before anything is written
 * while the backlog waiting for delivery is over {@code spool.max-backlog-bytes} (LaunchDarkly down for long, or the
 * inbox stalled), or while the disk has less than {@code spool.min-free-bytes} free; accepted again when either
 * returns under its limit. Both are measured on each tick of the spool's roll-over and at start.
 */
final class SpoolCapacity {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolCapacity.class);

    private final Path spoolDir;
    private final Path inboxDir;
    private final long maxBacklogBytes;
    private final long minFreeBytes;
    private final int retryAfterSeconds;
    private final PipelineMetrics metrics;
    private final AtomicLong backlogBytes = new AtomicLong();
    private volatile long freeBytes = Long.MAX_VALUE;

    SpoolCapacity(Path spoolDir, Path inboxDir, long maxBacklogBytes, long minFreeBytes, int retryAfterSeconds,
                  PipelineMetrics metrics) {
        this.spoolDir = spoolDir;
        this.inboxDir = inboxDir;
        this.maxBacklogBytes = maxBacklogBytes;
        this.minFreeBytes = minFreeBytes;
        this.retryAfterSeconds = retryAfterSeconds;
        this.metrics = metrics;
        metrics.gauge("spool.backlog.bytes", backlogBytes);
    }

    /** @throws RefusedRequestException 503 with Retry-After while the backlog or the disk is over its limit */
    void check() {
        if (backlogBytes.get() > maxBacklogBytes) {
            metrics.throttled();
            throw new RefusedRequestException(503, "the backlog waiting for delivery is over " + maxBacklogBytes
                    + " bytes; try again later", retryAfterSeconds);
        }
        if (freeBytes < minFreeBytes) {
            metrics.throttled();
            throw new RefusedRequestException(503, "the disk is short of space (" + freeBytes + " bytes free); try"
                    + " again later", retryAfterSeconds);
        }
    }

    /**
     * Measures the backlog (the inbox and {@code unrolledBytes} of the spool's segment) and the free disk space, and
     * logs when either crosses its limit.
     */
    void measure(long unrolledBytes) {
        long total = unrolledBytes;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(inboxDir)) {
            for (Path file : files) {
                try {
                    total += Files.size(file);
                } catch (NoSuchFileException committedMeanwhile) {
                    // the file route moved it to the done folder
                }
            }
            long free = Files.getFileStore(spoolDir).getUsableSpace();
            if ((freeBytes < minFreeBytes) != (free < minFreeBytes)) {
                if (free < minFreeBytes) {
                    LOG.error("The disk of {} has {} bytes free, under spool.min-free-bytes ({}): HTTP requests are"
                            + " answered 503 with Retry-After until space returns", spoolDir, free, minFreeBytes);
                } else {
                    LOG.info("The disk of {} has {} bytes free again: accepting HTTP requests", spoolDir, free);
                }
            }
            freeBytes = free;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the inbox backlog in " + inboxDir, e);
        }
        long before = backlogBytes.getAndSet(total);
        if ((before > maxBacklogBytes) != (total > maxBacklogBytes)) {
            if (total > maxBacklogBytes) {
                LOG.warn("Backlog of {} bytes is over the limit of {}: HTTP requests are answered 503 with Retry-After {} s",
                        total, maxBacklogBytes, retryAfterSeconds);
            } else {
                LOG.info("Backlog back under the limit ({} bytes): accepting HTTP requests again", total);
            }
        }
    }
}
