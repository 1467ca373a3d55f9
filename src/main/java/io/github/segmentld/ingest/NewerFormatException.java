package io.github.segmentld.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.store.WorkFolderFormat;

/**
 * An input holding a batch object that a newer release wrote (a spool line or a dead letter of a newer format
 * version): this release does not read it, nor what follows it, and leaves it for that release. Unlike an input that
 * breaks off, no event of the chunk it falls in is processed ({@link FileChunks}): that release reads the same content,
 * with the same chunk keys, past this point, and a chunk settled here in part would be skipped there in full.
 */
public final class NewerFormatException extends UnreadableInputException {

    private NewerFormatException(String message) {
        super(message);
    }

    /**
     * @param batchObject a batch object of the input: a dead letter when it has a {@code deadLetter} section, else a
     *                    spool line (or a batch object from elsewhere, which names no version)
     * @param where       where it is in its input
     * @throws NewerFormatException when it names a format version newer than this release's
     */
    public static void refuseNewer(JsonNode batchObject, String where) throws NewerFormatException {
        WorkFolderFormat format = batchObject.has("deadLetter") ? WorkFolderFormat.DEAD_LETTER
                : WorkFolderFormat.SPOOL_LINE;
        String refusal = format.refusal(batchObject);
        if (refusal != null) {
            throw new NewerFormatException("the batch object at " + where + " was " + refusal
                    + "; the input is left unread from the chunk holding it on (all of it, when that is the first),"
                    + " for that release to read");
        }
    }
}
