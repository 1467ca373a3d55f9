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
 * into the inbox as an NDJSON file as soon as it is full. A page is named after its content: the same selection
 * replayed again (a second click, or a replay cut short and asked again) makes the same pages, and a page the inbox
 * holds, or has read, is not written again, so nothing is sent twice.
 */
final class RejectedPages {

    private final Path inboxDir;
    private final Path doneDir;
    private final int pageSize;
    private final boolean writing;
    private final Object inboxWrites;
    private final StringBuilder page = new StringBuilder();
    private int inPage;
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

    /** Takes one event, a line of JSON; a full page goes into the inbox. */
    void add(String event) throws IOException {
        events++;
        if (!writing) {
            return;
        }
        page.append(event).append('\n');
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
        byte[] content = page.toString().getBytes(StandardCharsets.UTF_8);
        page.setLength(0);
        inPage = 0;
        String name = "replay-rejected-" + HexFormat.of().formatHex(sha256(content), 0, 12) + ".ndjson";
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
