package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.github.segmentld.store.DurableFiles;

/**
 * The rejected events a replay selects, gathered into pages of at most {@code pageSize} events, each page written
 * into the inbox as a Segment batch object as soon as it is full. A page is named after its content: the same
 * selection replayed again (a second click, or a replay cut short and asked again) makes the same pages, and a page
 * the inbox holds, or has read, is not written again, so nothing is sent twice.
 * <p>
 * Beside its events, a page holds the row of rejections its last event was taken from ({@code replay.through}). The
 * inbox recognises an input by its content: without that mark, an event replayed, rejected again, and replayed from
 * after the earlier replay would make a page equal to the first, which the inbox skips as read. With it, the later
 * rejection makes a page of its own, while the same selection (whose events are each taken from their first row)
 * makes the same page, so an event the earlier replay delivered is not sent twice.
 */
final class RejectedPages {

    private final Path inboxDir;
    private final Path doneDir;
    private final int pageSize;
    private final boolean writing;
    private final Object inboxWrites;
    private final StringBuilder page = new StringBuilder();
    private int inPage;
    private long through;
    private long events;
    private int written;
    private int skipped;

    /**
     * @param writing     false to count only
     * @param inboxWrites held while a page is looked for and written, so that two replays at once write it once
     */
    RejectedPages(Path inboxDir, Path doneDir, int pageSize, boolean writing, Object inboxWrites) {
        this.inboxDir = inboxDir;
        this.doneDir = doneDir;
        this.pageSize = pageSize;
        this.writing = writing;
        this.inboxWrites = inboxWrites;
    }

    /** Takes one event, a line of JSON, from the log's row {@code group}; a full page goes into the inbox. */
    void add(long group, String event) throws IOException {
        events++;
        through = group;
        if (!writing) {
            return;
        }
        page.append(inPage == 0 ? "" : ",\n").append(event);
        if (++inPage == pageSize) {
            writePage();
        }
    }

    /** Writes the last page, if not full. */
    void finish() throws IOException {
        if (inPage > 0) {
            writePage();
        }
    }

    long events() {
        return events;
    }

    /** The pages written into the inbox. */
    int written() {
        return written;
    }

    /** The pages not written because the inbox holds, or has read, the same file. */
    int skipped() {
        return skipped;
    }

    private void writePage() throws IOException {
        byte[] content = ("{\"replay\":{\"kind\":\"rejected\",\"through\":" + through + "},\"batch\":[\n" + page
                + "\n]}\n").getBytes(StandardCharsets.UTF_8);
        page.setLength(0);
        inPage = 0;
        String name = "replay-rejected-" + HexFormat.of().formatHex(sha256(content), 0, 12) + ".json";
        synchronized (inboxWrites) {
            if (Files.exists(inboxDir.resolve(name)) || Files.exists(doneDir.resolve(name))) {
                skipped++;
                return;
            }
            DurableFiles.write(inboxDir.resolve(name), content);
        }
        written++;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
