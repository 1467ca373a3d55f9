package io.github.segmentld.undelivered;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.segmentld.time.Ticker;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/**
 * The inbox files that could not be finished for a cause outside them (a full disk, the state database, a broker):
 * each waits before it is read again, twice as long after each failure up to a limit, so that a lasting outage does
 * not read every such file again at every poll. The inbox's file consumer skips a file until its time ({@link #accept}).
 * A file is forgotten once it settles (done, or in the failed folder); at most {@code maxFiles} are remembered, the
 * oldest forgotten first (read again at the next poll, which costs one early attempt, never an event).
 * <p>
 * Times are monotonic (a {@link Ticker}), so a clock stepped by NTP neither stalls nor hurries a retry.
 */
public class InputRetries implements GenericFileFilter<Object> {

    /** What became of one failure: how many in a row, the wait before the next attempt, and whether to log it now. */
    public record Postponed(int failures, Duration delay, boolean logNow) {
    }

    private record Retry(int failures, long nextAttemptAt, long loggedAt) {
    }

    private final long initialDelayNanos;
    private final long maxDelayNanos;
    private final long logEveryNanos;
    private final int maxFiles;
    private final Ticker ticker;
    private final Map<String, Retry> byName = new LinkedHashMap<>();

    /**
     * @param logEvery how often a file that keeps failing is logged at most
     * @param maxFiles how many files are remembered at most
     */
    public InputRetries(Duration initialDelay, Duration maxDelay, Duration logEvery, int maxFiles, Ticker ticker) {
        this.initialDelayNanos = initialDelay.toNanos();
        this.maxDelayNanos = Math.max(maxDelay.toNanos(), initialDelayNanos);
        this.logEveryNanos = logEvery.toNanos();
        this.maxFiles = maxFiles;
        this.ticker = ticker;
    }

    /** Whether the file consumer takes the file now: not while its next attempt is still to come. */
    @Override
    public synchronized boolean accept(GenericFile<Object> file) {
        Retry retry = byName.get(file.getRelativeFilePath());
        return retry == null || ticker.nanos() - retry.nextAttemptAt() >= 0;
    }

    /** Records that the file failed for a cause outside it, and when it is read again. */
    public synchronized Postponed failed(String fileName) {
        long now = ticker.nanos();
        Retry before = byName.remove(fileName);
        int failures = before == null ? 1 : before.failures() + 1;
        long delay = delayAfter(failures);
        boolean logNow = before == null || now - before.loggedAt() >= logEveryNanos;
        byName.put(fileName, new Retry(failures, now + delay, logNow ? now : before.loggedAt()));
        while (byName.size() > maxFiles) {
            byName.remove(byName.keySet().iterator().next());
        }
        return new Postponed(failures, Duration.ofNanos(delay), logNow);
    }

    /** Forgets the file: it is done, or in the failed folder. */
    public synchronized void settled(@Header(Exchange.FILE_NAME) String fileName) {
        byName.remove(fileName);
    }

    private long delayAfter(int failures) {
        long delay = initialDelayNanos;
        for (int i = 1; i < failures && delay < maxDelayNanos; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxDelayNanos);
    }
}
