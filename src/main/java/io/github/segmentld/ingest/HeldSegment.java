package io.github.segmentld.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;

/**
 * A spool segment's events as the Tracking API parsed and stamped them, kept beside the segment's lines so that the
 * file route takes them from memory rather than parsing the segment again. They are the events the file reader would
 * read from the segment's lines ({@link LineDelimitedEvents}: each line a batch object without a shared context, each
 * event at its line's number), and the SHA-256 of the lines is the segment's content digest ({@link InputIdentities}),
 * so the chunks, their keys and their payload IDs are those of a read from disk.
 */
final class HeldSegment {

    private final Deque<SegmentEvent> events = new ArrayDeque<>();
    private final MessageDigest sha256 = InputIdentities.sha256();
    private long bytes;
    private long lines;

    /** Adds a line written to the segment, with the events it holds in the order written. */
    void add(byte[] line, List<ObjectNode> lineEvents) {
        lines++;
        bytes += line.length;
        sha256.update(line);
        for (ObjectNode event : lineEvents) {
            events.add(new SegmentEvent(event, lines));
        }
    }

    /** The bytes of the lines added: the segment's length. */
    long bytes() {
        return bytes;
    }

    /** The SHA-256 of the segment's content; called once, when the segment is taken. */
    byte[] contentDigest() {
        return sha256.digest();
    }

    /** The events, read like the file's lines, once: each is let go of as it is taken, as a chunk holds it. */
    EventSource events(InputSource source) {
        return new EventSource() {
            private long position;

            @Override
            public SegmentEvent next() {
                SegmentEvent event = events.poll();
                if (event != null) {
                    position = event.position();
                }
                return event;
            }

            @Override
            public boolean atEnd() {
                return events.isEmpty();
            }

            @Override
            public InputSource source() {
                return source;
            }

            @Override
            public String location() {
                return "line " + position;
            }

            @Override
            public void close() {
                // nothing open: the segment file is not read
            }
        };
    }
}
