package io.github.segmentld.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The spool segments whose events are held in memory as the Tracking API parsed them ({@link HeldSegment}): the one
 * being written, and those rolled into the inbox until the file route takes them. The JSON held, counted in the
 * segments' bytes, stays within {@code spool.max-held-bytes}: a segment whose next line would go past it is no longer
 * held, and the file route reads it from disk, as it does every segment after a restart. Thread-safe.
 */
public final class HeldSegments {

    /** Holds nothing: every segment is read from disk. */
    public static final HeldSegments NONE = new HeldSegments(0);

    private final long maxBytes;
    private final Map<Path, HeldSegment> rolled = new HashMap<>();
    private long heldBytes;

    /** @param maxBytes the bytes of JSON held at most, over all the segments held */
    public HeldSegments(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a line written to a segment being held; false when it would take the JSON held past the limit (the segment
     * is then to be dropped).
     */
    synchronized boolean add(HeldSegment segment, byte[] line, List<ObjectNode> events) {
        if (heldBytes + line.length > maxBytes) {
            return false;
        }
        heldBytes += line.length;
        segment.add(line, events);
        return true;
    }

    /** Forgets a segment being written that is no longer held (cut back after a failure). */
    synchronized void drop(HeldSegment segment) {
        heldBytes -= segment.bytes();
    }

    /**
     * Keeps a segment rolled into the inbox as {@code file} until the file route takes it. Segments no longer in the
     * inbox (taken away by hand) are forgotten.
     */
    synchronized void rolled(Path file, HeldSegment segment) {
        rolled.entrySet().removeIf(held -> {
            boolean gone = !Files.exists(held.getKey());
            if (gone) {
                heldBytes -= held.getValue().bytes();
            }
            return gone;
        });
        rolled.put(file.toAbsolutePath().normalize(), segment);
    }

    /**
     * The events of the segment rolled into the inbox as {@code file}, no longer held; null when it is not held, or when
     * the file's length is not the segment's (changed since it was rolled): the file is then read.
     */
    synchronized HeldSegment take(Path file, long length) {
        HeldSegment segment = rolled.remove(file.toAbsolutePath().normalize());
        if (segment == null) {
            return null;
        }
        heldBytes -= segment.bytes();
        return segment.bytes() == length ? segment : null;
    }
}
