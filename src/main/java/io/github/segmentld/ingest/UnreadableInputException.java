package io.github.segmentld.ingest;

import java.io.IOException;

/** An input that cannot be read as Segment events at all; the file goes to the failed folder with this reason. */
public class UnreadableInputException extends IOException {

    public UnreadableInputException(String message) {
        super(message);
    }

    public UnreadableInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The innermost one in the failure's chain of causes (past Camel's wrappers); null when there is none. */
    public static UnreadableInputException in(Throwable failure) {
        UnreadableInputException found = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnreadableInputException unreadable) {
                found = unreadable;
            }
        }
        return found;
    }
}
