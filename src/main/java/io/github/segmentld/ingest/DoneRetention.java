package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the done folder from filling the disk. A file there is an input whose every event is settled: it is kept
 * only to look back at (and for the spool to remember recent messageIds). Files older than the retention go, then the
 * oldest while the folder is over its size limit, and, whatever their age, the oldest while the disk has less free
 * space than the guard asks (the inbox, the retry queues and the spool need it more).
 */
public class DoneRetention {

    private static final Logger LOG = LoggerFactory.getLogger(DoneRetention.class);

    private record DoneFile(Path path, long committedAt, long size) {
    }

    private final Path doneDir;
    private final Duration maxAge;
    private final long maxBytes;
    private final long minFreeBytes;
    private final Clock clock;

    public DoneRetention(Path doneDir, Duration maxAge, long maxBytes, long minFreeBytes, Clock clock) {
        this.doneDir = doneDir;
        this.maxAge = maxAge;
        this.maxBytes = maxBytes;
        this.minFreeBytes = minFreeBytes;
        this.clock = clock;
    }

    public void enforce() throws IOException {
        if (!Files.isDirectory(doneDir)) {
            return;
        }
        List<DoneFile> files = oldestFirst();
        long total = files.stream().mapToLong(DoneFile::size).sum();
        long free = Files.getFileStore(doneDir).getUsableSpace();
        long tooOld = clock.millis() - maxAge.toMillis();
        int deleted = 0;
        long freed = 0;
        for (DoneFile file : files) {
            boolean go = file.committedAt() < tooOld || total > maxBytes || free + freed < minFreeBytes;
            if (!go) {
                break;
            }
            try {
                Files.delete(file.path());
            } catch (NoSuchFileException alreadyGone) {
                // deleted by hand meanwhile
            }
            total -= file.size();
            freed += file.size();
            deleted++;
        }
        if (deleted > 0) {
            LOG.info("Done folder: deleted the {} oldest files ({} bytes) by inbox.done-retention-hours,"
                    + " inbox.done-max-bytes and inbox.done-min-free-bytes", deleted, freed);
        }
    }

    private List<DoneFile> oldestFirst() throws IOException {
        List<DoneFile> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(doneDir)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                    if (attributes.isRegularFile()) {
                        files.add(new DoneFile(entry, committedAt(entry, attributes), attributes.size()));
                    }
                } catch (NoSuchFileException gone) {
                    // deleted meanwhile
                }
            }
        }
        files.sort(Comparator.comparingLong(DoneFile::committedAt));
        return files;
    }

    /**
     * When the file came into the done folder: the move there keeps its modification time (an old export stays old)
     * but sets its status-change time, where the file system has one.
     */
    private static long committedAt(Path file, BasicFileAttributes attributes) throws IOException {
        long modified = attributes.lastModifiedTime().toMillis();
        try {
            return Math.max(modified, ((FileTime) Files.getAttribute(file, "unix:ctime")).toMillis());
        } catch (UnsupportedOperationException | IllegalArgumentException noStatusChangeTime) {
            return modified;
        }
    }
}
