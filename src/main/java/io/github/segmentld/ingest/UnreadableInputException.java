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
}
