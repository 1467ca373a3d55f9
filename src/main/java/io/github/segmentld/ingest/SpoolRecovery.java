package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the spool does at start with what a previous run left: its segments go into the inbox (what they hold was
 * acknowledged, or was on its way to be) without a line cut off by a crash, and the messageIds of the most recent
 * segments are remembered, so that a client's retry across a crash is answered without being accepted twice.
 */
final class SpoolRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    private final Path spoolDir;
    private final Path inboxDir;
    private final Path doneDir;
    private final SegmentFiles files;

    SpoolRecovery(Path spoolDir, Path inboxDir, Path doneDir, SegmentFiles files) {
        this.spoolDir = spoolDir;
        this.inboxDir = inboxDir;
        this.doneDir = doneDir;
        this.files = files;
    }

    /** Moves the segments left in the spool folder into the inbox, each cut after its last whole line. */
    void moveLeftSegmentsIntoInbox() throws IOException {
        Files.createDirectories(spoolDir);
        Files.createDirectories(inboxDir);
        try (DirectoryStream<Path> left = Files.newDirectoryStream(spoolDir, "*" + SpoolLines.SEGMENT_SUFFIX)) {
            for (Path segmentFile : left) {
                cutAfterLastLine(segmentFile);
                if (Files.size(segmentFile) > 0) {
                    LOG.info("Moving spool segment {} left by the previous run into the inbox", segmentFile.getFileName());
                    files.move(segmentFile, inboxDir.resolve(segmentFile.getFileName()));
                } else {
                    Files.delete(segmentFile);
                }
            }
        }
    }

    /**
     * Remembers the messageIds of the most recent segments, in the inbox and the done folder, newest first until
     * {@code max} are remembered.
     */
    void rememberRecentMessageIds(MessageIdDedupe dedupe, int max) throws IOException {
        List<Path> segments = new ArrayList<>();
        for (Path dir : List.of(inboxDir, doneDir)) {
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> found = Files.newDirectoryStream(dir,
                        SpoolLines.SEGMENT_PREFIX + "*" + SpoolLines.SEGMENT_SUFFIX)) {
                    found.forEach(segments::add);
                }
            }
        }
        segments.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        List<List<String>> newestFirst = new ArrayList<>();
        long count = 0;
        for (Path segmentFile : segments) {
            if (count >= max) {
                break;
            }
            List<String> keys = keysIn(segmentFile);
            newestFirst.add(keys);
            count += keys.size();
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            newestFirst.get(i).forEach(dedupe::remember);
        }
        if (dedupe.remembered() > 0) {
            LOG.info("Remembering {} recent messageIds from {} spool segments", dedupe.remembered(), newestFirst.size());
        }
    }

    private static List<String> keysIn(Path segmentFile) {
        try {
            return SpoolLines.messageIdsIn(segmentFile);
        } catch (NoSuchFileException committedMeanwhile) {
            return List.of(); // the file route moved it to the done folder, where it is not read again
        } catch (IOException e) {
            LOG.warn("Cannot read the messageIds of {}: {}", segmentFile, e.getMessage());
            return List.of();
        }
    }

    /** Cuts a segment after its last complete line: a crash during a write may have left part of one. */
    private static void cutAfterLastLine(Path segmentFile) throws IOException {
        try (FileChannel channel = FileChannel.open(segmentFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = channel.size();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < channel.size()) {
                LOG.info("Cutting off the last {} bytes of {}: a line the previous run did not finish writing",
                        channel.size() - end, segmentFile.getFileName());
                channel.truncate(end);
                channel.force(true);
            }
        }
    }
}
