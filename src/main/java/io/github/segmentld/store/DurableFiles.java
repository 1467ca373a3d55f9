package io.github.segmentld.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Files that must outlive a power cut, not only a crash. Forcing a file's bytes is not enough: its name is an entry of
 * its folder, and after a power cut a file whose folder was never synced can vanish with the entry, although its bytes
 * reached the disk. So after creating or renaming a file that an acknowledgement or a commit relies on, the folder
 * that holds the new entry is synced too (and, after a rename, the folder the file left), before that acknowledgement.
 */
public final class DurableFiles {

    /** Windows cannot open a folder as a channel; there NTFS's journal keeps the entries. */
    private static final boolean FOLDERS_SYNCABLE = !FileSystems.getDefault().getSeparator().equals("\\");

    private DurableFiles() {
    }

    /** Syncs a folder's entries (the names of the files in it) to the disk. */
    public static void syncDirectory(Path dir) throws IOException {
        if (!FOLDERS_SYNCABLE) {
            return;
        }
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
            folder.force(true);
        }
    }

    /**
     * Creates a folder and those above it that are missing, syncing the folder that holds each one it created: a
     * file synced into a folder that was itself never synced into its parent can vanish with it.
     */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            // made at the same time by another thread, which may not have synced its parent yet: synced here too
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
        }
        if (parent != null) {
            syncDirectory(parent);
        }
        return dir;
    }

    /**
     * Writes a whole file under a temporary name beside it ({@code .writing-<name>}), forces it, renames it to its name
     * (replacing a file of that name) and syncs the folder: after a crash or a power cut the file is either absent or
     * whole.
     */
    public static Path write(Path target, byte[] content) throws IOException {
        Path folder = target.toAbsolutePath().getParent();
        createDirectories(folder);
        Path temporary = folder.resolve(".writing-" + target.getFileName());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        rename(temporary, target);
        syncDirectory(folder);
        return target;
    }

    /**
     * Renames a file atomically (replacing a file of that name, if any) and syncs the folder it went to and, if
     * another, the folder it came from, so that after a power cut it is found under one of its two names, not neither
     * or both.
     */
    public static Path move(Path source, Path target) throws IOException {
        rename(source, target);
        Path to = target.toAbsolutePath().getParent();
        Path from = source.toAbsolutePath().getParent();
        syncDirectory(to);
        if (!from.equals(to)) {
            syncDirectory(from);
        }
        return target;
    }

    /**
     * Renames files atomically into a folder under their own names, then syncs that folder and each folder they came
     * from once, rather than once a file: for a page of files moved together, answered together.
     */
    public static void moveInto(Collection<Path> sources, Path folder) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        Set<Path> left = new LinkedHashSet<>();
        for (Path source : sources) {
            rename(source, folder.resolve(source.getFileName()));
            left.add(source.toAbsolutePath().getParent());
        }
        Path to = folder.toAbsolutePath();
        syncDirectory(to);
        left.remove(to);
        for (Path from : left) {
            syncDirectory(from);
        }
    }

    /** Renames a file atomically, replacing a file of that name, if any; the folders are left to the caller to sync. */
    private static void rename(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot move " + source + " to " + target + " atomically: they must be on one file"
                    + " system", e);
        }
    }
}
