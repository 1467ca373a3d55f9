package io.github.segmentld.ingest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import io.github.segmentld.store.DurableFiles;

/**
 * The file system as the spool uses it: new segment files, the syncs of their folders and their moves into the inbox.
 * Tests replace it to make writes and syncs fail, or to see the order of the syncs.
 */
@FunctionalInterface
interface SegmentFiles {

    /** Creates a segment file and opens it for appending. */
    FileChannel create(Path path) throws IOException;

    /** Syncs a folder's entries: a segment created or moved into it outlives a power cut only then. */
    default void syncDirectory(Path dir) throws IOException {
        DurableFiles.syncDirectory(dir);
    }

    /** Moves a closed segment into the inbox, syncing both folders. */
    default void move(Path segment, Path target) throws IOException {
        DurableFiles.move(segment, target);
    }

    static SegmentFiles onDisk() {
        return path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
