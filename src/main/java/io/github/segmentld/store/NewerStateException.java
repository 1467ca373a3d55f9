package io.github.segmentld.store;

import java.nio.file.Path;

/** The state database was written by a newer release than this one, which refuses to start on it. */
public final class NewerStateException extends RuntimeException {

    NewerStateException(Path file, int version) {
        super(file + " is at schema version " + version + ", written by a newer release; this release"
                + release() + " reads up to version " + StateSchema.VERSION + ". Run the newer release, or restore"
                + " the work folder's backup made before the upgrade: a release never downgrades a work folder",
                null, false, false);
    }

    private static String release() {
        String version = NewerStateException.class.getPackage().getImplementationVersion();
        return version == null ? "" : " (" + version + ")";
    }
}
