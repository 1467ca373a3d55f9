package io.github.segmentld.undelivered;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.ingest.UnreadableInputException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what becomes of an input whose processing failed. Only an input that cannot be read (not Segment JSON, a
 * broken gzip, a symbolic link: an {@link UnreadableInputException}) goes to the failed folder, with
 * {@code <name>.reason.txt} beside it, so that whoever looks at the failed folder sees why. Any other failure (storage
 * that cannot be written, a broker out of reach, a stop, a defect) is not the input's: it stays in the inbox and is
 * read again after a back-off ({@link InputRetries}), its settled chunks skipped, logged with the cause at most once a
 * minute.
 */
public class FailedInputRecorder {

    /** The exchange property that holds the folder the file route moves the input to, relative to the inbox. */
    public static final String INPUT_FOLDER = "inputFolder";

    private static final Logger LOG = LoggerFactory.getLogger(FailedInputRecorder.class);

    private final Path inboxDir;
    private final String failedDir;
    private final InputRetries retries;
    private final Clock clock;

    /**
     * @param failedDir the failed folder, relative to the inbox (as the file consumer's move option is)
     * @param clock     the time written in the reason files
     */
    public FailedInputRecorder(Path inboxDir, String failedDir, InputRetries retries, Clock clock) {
        this.inboxDir = inboxDir;
        this.failedDir = failedDir;
        this.retries = retries;
        this.clock = clock;
    }

    /** Whether the input itself is the cause (and goes to the failed folder): only when it cannot be read. */
    public boolean isInputAtFault(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        return UnreadableInputException.in(cause) != null;
    }

    /** Logs and records the failure; names and messages with control characters in them are shown escaped. */
    public void record(Exchange exchange) throws IOException {
        String fileName = exchange.getIn().getHeader(Exchange.FILE_NAME, String.class);
        String shownName = ControlCharacters.escape(fileName);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        UnreadableInputException reason = UnreadableInputException.in(cause);
        if (reason == null) {
            InputRetries.Postponed postponed = retries.failed(fileName);
            if (postponed.logNow()) {
                LOG.error("Cannot finish {} now: {}. It stays in the inbox and is read again in {} ms ({} failures in a"
                        + " row; this is logged once a minute); what is settled is skipped.", shownName,
                        ControlCharacters.escape(rootMessage(cause)), postponed.delay().toMillis(),
                        postponed.failures(), cause);
            }
            return;
        }
        retries.settled(fileName);
        Path target = inboxDir.resolve(failedDir).normalize().resolve(fileName + ".reason.txt");
        Files.createDirectories(target.getParent());
        String shownReason = ControlCharacters.escape(reason.getMessage());
        String text = "time: " + clock.instant() + "\nfile: " + shownName + "\nreason: " + shownReason + "\n";
        Files.writeString(target, text, StandardCharsets.UTF_8);
        exchange.setProperty(INPUT_FOLDER, failedDir);
        LOG.error("Cannot read {}: {}. Moved to {} with {}", shownName, shownReason, target.getParent(),
                ControlCharacters.escape(target.getFileName().toString()));
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root.getMessage() + ")";
    }
}
