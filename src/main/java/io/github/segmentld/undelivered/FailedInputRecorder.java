package io.github.segmentld.undelivered;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.ingest.UnreadableInputException;
import io.github.segmentld.store.StateUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of an input whose processing failed. An input at fault (it cannot be read, or it trips a
 * defect) goes to the failed folder, with {@code <name>.reason.txt} beside it, so that whoever looks at the failed
 * folder sees why. An input that failed because storage could not be written (a full disk, the state database, a
 * dead letter that could not be written) or because the application is stopping stays in the inbox, and is read
 * again.
 */
public class FailedInputRecorder {

    /** The exchange property that holds the folder the file route moves the input to, relative to the inbox. */
    public static final String INPUT_FOLDER = "inputFolder";

    private static final Logger LOG = LoggerFactory.getLogger(FailedInputRecorder.class);
    /** An input that keeps failing for the same reason (a full disk) is read again at every poll, logged less often. */
    private static final Duration LOG_AGAIN_AFTER = Duration.ofMinutes(1);

    private final Path inboxDir;
    private final String failedDir;
    private final Clock clock;
    private final Map<String, Long> loggedAt = new ConcurrentHashMap<>();

    /** @param failedDir the failed folder, relative to the inbox (as the file consumer's move option is) */
    public FailedInputRecorder(Path inboxDir, String failedDir, Clock clock) {
        this.inboxDir = inboxDir;
        this.failedDir = failedDir;
        this.clock = clock;
    }

    /** Whether the input itself is the cause (and goes to the failed folder), rather than storage or a stop. */
    public boolean isInputAtFault(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        for (Throwable failure = cause; failure != null; failure = failure.getCause()) {
            if (failure instanceof UnreadableInputException) {
                return true;
            }
            if (failure instanceof StateUnavailableException || failure instanceof RejectedExecutionException
                    || failure instanceof IOException || failure instanceof GenericFileOperationFailedException) {
                return false;
            }
        }
        return true;
    }

    /** Logs and records the failure; names and messages with control characters in them are shown escaped. */
    public void record(Exchange exchange) throws IOException {
        String fileName = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        String shownName = ControlCharacters.escape(fileName);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (!isInputAtFault(cause)) {
            long now = clock.millis();
            Long before = loggedAt.put(fileName, now);
            if (before == null || now - before >= LOG_AGAIN_AFTER.toMillis()) {
                LOG.error("Cannot finish {} now: {}. It stays in the inbox and is read again at every poll (this is"
                        + " logged once a minute); what is settled is skipped.", shownName,
                        ControlCharacters.escape(rootMessage(cause)));
            } else {
                loggedAt.put(fileName, before);
            }
            return;
        }
        loggedAt.remove(fileName);
        Throwable reason = cause;
        for (Throwable failure = cause; failure != null; failure = failure.getCause()) {
            if (failure instanceof UnreadableInputException) {
                reason = failure;
            }
        }
        Path target = inboxDir.resolve(failedDir).normalize().resolve(fileName + ".reason.txt");
        Files.createDirectories(target.getParent());
        String shownReason = ControlCharacters.escape(reason.getMessage());
        String text = "time: " + clock.instant() + "\nfile: " + shownName + "\nreason: " + shownReason + "\n";
        Files.writeString(target, text, StandardCharsets.UTF_8);
        exchange.setProperty(INPUT_FOLDER, failedDir);
        String reasonFile = ControlCharacters.escape(target.getFileName().toString());
        if (reason instanceof UnreadableInputException) {
            LOG.error("Cannot read {}: {}. Moved to {} with {}", shownName, shownReason, target.getParent(), reasonFile);
        } else {
            LOG.error("Processing {} failed: {}. Moved to {} with {}", shownName, shownReason, target.getParent(),
                    reasonFile, reason);
        }
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root.getMessage() + ")";
    }
}
