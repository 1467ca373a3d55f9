package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.mapping.TransformedEvents;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what became of each Segment event and each LaunchDarkly batch in the delivery log, off the hot path: the
 * routes hand over what they hold (a batch before it is sent, a chunk once settled, a batch parked, split or
 * dead-lettered; {@link DeliveryAttempts} each request), which waits in memory for one writer thread. The writer
 * commits whatever has queued up, at least every {@link #FLUSH_INTERVAL}, so a record is readable within about a
 * second, and a kill -9 loses at most that last second of the log, never an event.
 * <p>
 * The log never holds delivery up: what waits is bounded by {@code delivery-log.max-pending-events}, beyond which
 * records are dropped with a warning and counted ({@code delivery_log_records_dropped_total}); a write that fails is
 * dropped the same way, and a database found damaged is recreated.
 */
public class DeliveryLog extends ServiceSupport {

    /** How long a record may wait before the writer commits it. */
    public static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);
    private static final int MAX_EVENTS_PER_COMMIT = 20_000;
    private static final String HELD_BACK = "not sent: the destination's circuit is open";
    /** How long the writer waits before it opens a database again that failed. */
    private static final Duration REOPEN_DELAY = Duration.ofSeconds(1);

    /** What the writer writes: one piece of the log. */
    interface Entry {

        /** How many event rows it holds, which count against the pending bound. */
        int events();

        /** How many records it holds, as counted when it is dropped. */
        default int records() {
            return Math.max(1, events());
        }

        void writeTo(LogWriter writer) throws SQLException;
    }

    /** The settings of the log; each is documented with its key in {@code application.properties}. */
    public record Settings(boolean enabled, int maxPendingEvents, Duration retention, long maxBytes) {
    }

    private final Settings settings;
    private final DeliveryLogDatabase database;
    private final LogRows rows;
    private final FailureDescriptions failures;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pendingEvents = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread writerThread;

    public DeliveryLog(Settings settings, DeliveryLogDatabase database, Redaction redaction, MappingMatcher matcher,
                       FailureDescriptions failures, PipelineMetrics metrics, Clock clock) {
        this.settings = settings;
        this.database = database;
        this.rows = new LogRows(redaction, matcher);
        this.failures = failures;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("delivery.log.pending.events", pendingEvents);
    }

    public boolean enabled() {
        return settings.enabled();
    }

    @Override
    protected void doStart() throws Exception {
        if (!settings.enabled()) {
            LOG.info("The delivery log is off (delivery-log.enabled=false)");
            return;
        }
        try {
            database.migrate();
        } catch (SQLException | RuntimeException e) {
            // A log that cannot be opened leaves delivery alone; the writer tries again.
            LOG.warn("The delivery log cannot be opened ({}); delivery goes on, the log tries again", e.getMessage());
        }
        running = true;
        writerThread = new Thread(this::writeUntilStopped, "delivery-log-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (writerThread != null) {
            writerThread.interrupt();
            writerThread.join(TimeUnit.SECONDS.toMillis(30));
            writerThread = null;
        }
    }

    /** A batch about to be sent: a row for it and one for each of its events. */
    public void batched(@Body LaunchDarklyBatch batch, @ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk) {
        long now = clock.millis();
        offer(new Entry() {
            @Override
            public int events() {
                return batch.size();
            }

            @Override
            public void writeTo(LogWriter writer) throws SQLException {
                writer.batch(batch.payloadId(), batch.destination().name(), null, batch.size(), now);
                List<LaunchDarklyEvent> events = batch.events();
                for (int i = 0; i < events.size(); i++) {
                    writer.event(rows.sent(batch, i, chunk, now));
                }
            }
        });
    }

    /** A chunk settled: a row for each event no mapping took, and for each record or event rejected. */
    public void settled(@ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk,
                        @ExchangeProperty(ConvertedChunk.PROPERTY) ConvertedChunk converted) {
        long now = clock.millis();
        int atMost = chunk.events().size() + chunk.rejections().size();
        if (atMost == 0) {
            return;
        }
        offer(new Entry() {
            @Override
            public int events() {
                return atMost;
            }

            @Override
            public void writeTo(LogWriter writer) throws SQLException {
                Set<SegmentEvent> taken = Collections.newSetFromMap(new IdentityHashMap<>());
                converted.launchDarklyEvents().forEach(event -> taken.add(event.segmentEvent()));
                converted.invalid().forEach(invalid -> taken.add(invalid.event().event()));
                for (SegmentEvent event : chunk.events()) {
                    LoggedEvent row = taken.contains(event) ? null : rows.filtered(event, chunk, now);
                    if (row != null) {
                        writer.event(row);
                    }
                }
                for (TransformedEvents.Invalid refused : converted.invalid()) {
                    writer.event(rows.invalid(refused, chunk, now));
                }
                for (Rejection rejection : chunk.rejections()) {
                    writer.event(rows.unreadable(rejection, now));
                }
            }
        });
    }

    /** A batch LaunchDarkly found too large: its halves are sent on their own, under payload IDs of their own. */
    public void split(@Body LaunchDarklyBatch batch) {
        long now = clock.millis();
        List<LaunchDarklyBatch> halves = batch.halves();
        offer(outcome(writer -> {
            writer.outcome(batch.payloadId(), "split", "413: too large for LaunchDarkly, split in two", now);
            for (LaunchDarklyBatch half : halves) {
                writer.batch(half.payloadId(), half.destination().name(), batch.payloadId(), half.size(), now);
            }
        }));
    }

    /** A batch parked in its destination's retry queue. */
    public void parked(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        long now = clock.millis();
        String reason = cause == null ? HELD_BACK : failures.describe(cause, batch.destination());
        offer(outcome(writer -> writer.outcome(batch.payloadId(), "retry_pending", reason, now)));
    }

    /** A batch written to the dead-letter store. */
    public void deadLettered(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                             @ExchangeProperty(FailureDescriptions.DEAD_LETTER_REASON) String reason) {
        long now = clock.millis();
        offer(outcome(writer -> writer.outcome(batch.payloadId(), "dead_lettered", reason, now)));
    }

    /** One request for a batch, with LaunchDarkly's answer; a 2xx answer delivers it. */
    void attempt(LaunchDarklyBatch batch, long at, Integer status, long latencyMillis, String error,
                 String responseBody) {
        offer(outcome(writer -> {
            writer.attempt(batch.payloadId(), at, status, latencyMillis, error, responseBody);
            if (status != null && status >= 200 && status < 300) {
                writer.delivered(batch.payloadId(), at + latencyMillis);
            }
        }));
    }

    /** Forgets what is older than the retention, then the oldest records while the log is over its size. */
    public void prune() {
        if (!settings.enabled()) {
            return;
        }
        long cutoff = clock.millis() - settings.retention().toMillis();
        offer(outcome(writer -> writer.prune(cutoff, settings.maxBytes())));
    }

    /** Records waiting for the writer, as event rows. */
    public long pendingEvents() {
        return pendingEvents.get();
    }

    private static Entry outcome(Work work) {
        return new Entry() {
            @Override
            public int events() {
                return 0;
            }

            @Override
            public void writeTo(LogWriter writer) throws SQLException {
                work.apply(writer);
            }
        };
    }

    @FunctionalInterface
    private interface Work {
        void apply(LogWriter writer) throws SQLException;
    }

    private void offer(Entry entry) {
        if (!running) {
            return;
        }
        int events = entry.events();
        if (events > 0 && pendingEvents.addAndGet(events) > settings.maxPendingEvents()) {
            pendingEvents.addAndGet(-events);
            drop(entry.records(), "the writer is behind (delivery-log.max-pending-events=" + settings.maxPendingEvents() + ")");
            return;
        }
        queue.add(entry);
    }

    private void drop(int records, String why) {
        metrics.deliveryLogDropped(records);
        long total = dropped.addAndGet(records);
        if (total == records || total / 10_000 != (total - records) / 10_000) {
            LOG.warn("Delivery log: {} records not written so far, the latest because {}; delivery is not affected",
                    total, why);
        }
    }

    private void writeUntilStopped() {
        List<Entry> taken = new ArrayList<>();
        LogWriter writer = null;
        while (running || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
                int events = first.events();
                while (events < MAX_EVENTS_PER_COMMIT) {
                    Entry next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    taken.add(next);
                    events += next.events();
                }
                writer = write(writer, taken);
            } catch (InterruptedException e) {
                // stopping: what is queued is still written
                running = false;
            } finally {
                int events = taken.stream().mapToInt(Entry::events).sum();
                pendingEvents.addAndGet(-events);
                taken.clear();
            }
        }
        close(writer);
    }

    /**
     * Writes the entries in one transaction; returns the writer to use next, or null after a failure, which drops the
     * entries and waits a moment before the database is opened again.
     */
    private LogWriter write(LogWriter writer, List<Entry> entries) throws InterruptedException {
        try {
            LogWriter open = writer != null ? writer : new LogWriter(openConnection(), database.isSqlite());
            open.commit(entries);
            return open;
        } catch (SQLException | RuntimeException e) {
            close(writer);
            if (e instanceof SQLException sql && database.isSqlite() && DeliveryLogDatabase.isDamage(sql)) {
                database.recreate(sql);
            }
            drop(entries.stream().mapToInt(Entry::records).sum(), "a write failed: " + e.getMessage());
            Thread.sleep(REOPEN_DELAY.toMillis());
            return null;
        }
    }

    private Connection openConnection() throws SQLException {
        database.migrate();
        return database.connect();
    }

    private static void close(LogWriter writer) {
        if (writer != null) {
            writer.close();
        }
    }
}
