package io.github.segmentld.store;

import java.nio.file.Path;

/**
 * The state database could not record or read something (a full disk, a failing device). Nothing that depends on it
 * is committed: an input stays in the inbox and is read again once the state can be written.
 */
public class StateUnavailableException extends RuntimeException {

    public StateUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    static StateUnavailableException of(Path file, Throwable cause) {
        if (cause instanceof StateUnavailableException unavailable) {
            return unavailable;
        }
        return new StateUnavailableException("state database " + file + ": " + cause.getMessage(), cause);
    }
}
