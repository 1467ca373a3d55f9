package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file system as the spool uses it: new segment files and their moves into the inbox. Tests replace it to make
 * writes and syncs fail.
 */
@FunctionalInterface
interface SegmentFiles {

    /** Creates a segment file and opens it for appending. */
    FileChannel create(Path path) throws IOException;

    /** Moves a closed segment into the inbox. */
    default void move(Path segment, Path target) throws IOException {
        Files.move(segment, target, StandardCopyOption.ATOMIC_MOVE);
    }

    static SegmentFiles onDisk() {
        return path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
