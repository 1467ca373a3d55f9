package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code <name>.reason.txt} beside a file that could not be read at all, in the failed folder the file consumer
 * moves it to, so that whoever looks at the failed folder sees why.
 */
public class FailedInputRecorder {

    private static final Logger LOG = LoggerFactory.getLogger(FailedInputRecorder.class);

    private final Path inboxDir;
    private final String failedDir;
    private final Clock clock;

    /** @param failedDir the failed folder, relative to the inbox (as the file consumer's moveFailed option is) */
    public FailedInputRecorder(Path inboxDir, String failedDir, Clock clock) {
        this.inboxDir = inboxDir;
        this.failedDir = failedDir;
        this.clock = clock;
    }

    public void record(@Header(Exchange.FILE_NAME) String fileName,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) throws IOException {
        Throwable reason = cause instanceof UncheckedIOException && cause.getCause() != null ? cause.getCause() : cause;
        Path target = inboxDir.resolve(failedDir).normalize().resolve(fileName + ".reason.txt");
        Files.createDirectories(target.getParent());
        String text = "time: " + clock.instant() + "\nfile: " + fileName + "\nreason: " + reason.getMessage() + "\n";
        Files.writeString(target, text, StandardCharsets.UTF_8);
        LOG.error("Cannot read {}: {}. Moved to {} with {}", fileName, reason.getMessage(), target.getParent(), target.getFileName());
    }
}
