package io.github.segmentld.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.StateUnavailableException;
import io.github.segmentld.time.Ticker;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable log in front of the pipeline for events that arrive over HTTP. The accepted events of a request are
 * appended to the current segment as one line ({@link SpoolLines}) and synced to disk before the request is answered
 * ({@link SpoolLog}); a segment rolls over, by size or age, into the inbox, where the file route takes it like any
 * dropped file.
 * <p>
 * An answer of 200 means on disk, and nothing else does: a request whose line could not be written or synced is
 * answered 503 with Retry-After. A messageId of a source is accepted once ({@link MessageIdDedupe}): it is remembered
 * when its line is synced (not before), and the remembered ones are rebuilt at start from the segments on disk
 * ({@link SpoolRecovery}). Below {@code spool.min-free-bytes} of free disk, or over {@code spool.max-backlog-bytes}
 * waiting, requests are answered 503 before anything is written ({@link SpoolCapacity}).
 */
public class Spool extends ServiceSupport implements AcceptedEventsLog {

    /** The spool's settings (see application.properties). */
    public record Settings(Path spoolDir, Path inboxDir, Path doneDir, long maxSegmentBytes, long maxSegmentAgeMillis,
                           long maxBacklogBytes, long minFreeBytes, int retryAfterSeconds, int recentMessageIds,
                           long recentMessageIdsMaxBytes) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final long UNAVAILABLE_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Settings settings;
    private final PipelineMetrics metrics;
    private final Ticker ticker;
    private final SpoolLog log;
    private final SpoolRecovery recovery;
    private final SpoolCapacity capacity;
    private final MessageIdDedupe dedupe;
    private final RefusedEvents refusals;
    private volatile Long unavailableLoggedAt;

    /** @param refusals records the events a request had refused, once its accepted ones are on disk */
    public Spool(Settings settings, RefusedEvents refusals, PipelineMetrics metrics, Clock clock) {
        this(settings, SegmentFiles.onDisk(), refusals, metrics, clock);
    }

    /** @param clock names the segments only: their age is measured on {@link Ticker#SYSTEM} */
    Spool(Settings settings, SegmentFiles files, RefusedEvents refusals, PipelineMetrics metrics, Clock clock) {
        this(settings, files, refusals, metrics, clock, Ticker.SYSTEM);
    }

    /** @param ticker measures the segments' age and the interval of the 503 log */
    Spool(Settings settings, SegmentFiles files, RefusedEvents refusals, PipelineMetrics metrics, Clock clock,
          Ticker ticker) {
        this.settings = settings;
        this.refusals = refusals;
        this.metrics = metrics;
        this.ticker = ticker;
        this.log = new SpoolLog(settings.spoolDir(), settings.inboxDir(), settings.maxSegmentBytes(),
                settings.maxSegmentAgeMillis(), files, clock, ticker);
        this.recovery = new SpoolRecovery(settings.spoolDir(), settings.inboxDir(), settings.doneDir(), files);
        this.capacity = new SpoolCapacity(settings.spoolDir(), settings.inboxDir(), settings.maxBacklogBytes(),
                settings.minFreeBytes(), settings.retryAfterSeconds(), metrics);
        this.dedupe = new MessageIdDedupe(settings.recentMessageIds(), settings.recentMessageIdsMaxBytes(), metrics);
    }

    @Override
    protected void doStart() throws IOException {
        recovery.moveLeftSegmentsIntoInbox();
        recovery.rememberRecentMessageIds(dedupe, settings.recentMessageIds());
        capacity.measure(log.unrolledBytes());
    }

    /** On a clean stop, the current segment goes into the inbox too. */
    @Override
    protected void doStop() throws IOException {
        log.rollNow();
    }

    /**
     * Refuses new events while the backlog waiting for delivery is over its limit, or while the disk is short of
     * space.
     */
    public void checkCapacity() {
        capacity.check();
    }

    /**
     * Appends the events (those whose messageId this source sent before are answered but not written again), then
     * records the request's refused events, all together; returns once both are on disk. A request answered 503 is
     * sent again by its client: its events then stored are not stored twice, and its refusals are recorded once.
     *
     * @throws RefusedRequestException 503 with Retry-After when they could not be written or synced
     */
    @Override
    public void append(AcceptedEvents accepted) {
        MessageIdDedupe.Claim claim;
        try {
            // a messageId of this request in another one still being synced: that one's outcome decides
            claim = dedupe.claim(accepted, Long.MAX_VALUE);
        } catch (MessageIdDedupe.StillClaimedException e) {
            throw unavailable(new IOException(e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(new IOException("interrupted while waiting for a request with the same messageId", e));
        }
        List<AcceptedEvents.Event> stored = List.of();
        try {
            if (!claim.fresh().isEmpty()) {
                log.append(SpoolLines.line(accepted.sender(), claim.fresh()));
                stored = claim.fresh();
            }
        } catch (IOException e) {
            throw unavailable(e);
        } finally {
            claim.settle(stored);
        }
        if (!accepted.refused().isEmpty()) {
            try {
                refusals.record(accepted.refused());
            } catch (UncheckedIOException e) {
                throw unavailable(e.getCause());
            } catch (StateUnavailableException e) {
                // its message names the database's file, which the client is not told
                throw unavailable(new IOException("the state database is unavailable", e));
            }
        }
    }

    /** Rolls the current segment into the inbox if it is older than the maximum age; called by a timer. */
    public void rollIfOld() {
        try {
            log.rollIfOld();
        } catch (IOException e) {
            LOG.warn("Cannot roll the spool segment into the inbox: {}", e.getMessage());
        }
        capacity.measure(log.unrolledBytes());
    }

    private RefusedRequestException unavailable(IOException cause) {
        capacity.measure(log.unrolledBytes());
        metrics.throttled();
        long now = ticker.nanos();
        Long last = unavailableLoggedAt;
        if (last == null || now - last >= UNAVAILABLE_LOG_INTERVAL_NANOS) {
            unavailableLoggedAt = now;
            LOG.error("Cannot store events in the spool ({}): requests are answered 503 with Retry-After {} s until it"
                    + " can (logged at most once a minute)", cause.getMessage(), settings.retryAfterSeconds());
        }
        return new RefusedRequestException(503, "the events could not be stored (" + cause.getMessage() + "); try again"
                + " later", settings.retryAfterSeconds());
    }
}
