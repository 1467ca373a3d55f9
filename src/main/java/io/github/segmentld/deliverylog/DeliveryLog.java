package io.github.segmentld.deliverylog;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.MappingMatcher;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what became of each Segment event and each LaunchDarkly batch in the delivery log, off the hot path: the
 * routes hand over what they hold (a batch as it is posted, a chunk once settled, a batch parked, split or
 * dead-lettered; {@link DeliveryAttempts} each request), made into rows at once (so the events are not held) which
 * wait in memory for one writer thread. The writer
 * commits whatever has queued up, at least every {@link #FLUSH_INTERVAL}, so a record is readable within about a
 * second, and a kill -9 loses at most that last second of the log, never an event.
 * <p>
 * The log never holds delivery up: what waits is bounded by {@code delivery-log.max-pending-bytes}, every entry counted
 * against it (a change to a batch, such as a request and LaunchDarkly's answer, as much as a group of events), beyond
 * which entries are dropped with a warning and counted ({@code delivery_log_records_dropped_total}); a write that fails
 * is dropped the same way, and a database found damaged is recreated.
 */
public class DeliveryLog extends ServiceSupport {

    /** How long a record may wait before the writer commits it. */
    public static final Duration FLUSH_INTERVAL = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);
    private static final int MAX_EVENTS_PER_COMMIT = 50_000;
    private static final String HELD_BACK = "not sent: the destination's circuit is open";
    /** How long the writer waits before it opens a database again that failed. */
    private static final Duration REOPEN_DELAY = Duration.ofSeconds(1);

    /**
     * What the writer writes: groups of events, made when the records are handed over so that the events they come from
     * are not held, and the changes to batches that go with them.
     */
    record Entry(List<LoggedGroup> groups, Work work, long workBytes) {

        /** What an entry holds in memory whatever it carries: itself, its list and its change. */
        private static final long OVERHEAD_BYTES = 200;

        /** Roughly what the entry holds in memory, which counts against the pending bound. */
        long bytes() {
            return OVERHEAD_BYTES + workBytes + groups.stream().mapToLong(LoggedGroup::bytes).sum();
        }

        /** How many records a dropped entry loses: its events, or the one change. */
        int records() {
            return Math.max(1, groups.stream().mapToInt(LoggedGroup::events).sum());
        }

        /** Writes the groups, then the change (which may be to a batch among them). */
        void writeTo(LogWriter writer) throws SQLException {
            for (LoggedGroup group : groups) {
                writer.group(group);
            }
            if (work != null) {
                work.apply(writer);
            }
        }
    }

    /** A change to the log's batches. */
    @FunctionalInterface
    interface Work {
        void apply(LogWriter writer) throws SQLException;
    }

    /** The settings of the log; each is documented with its key in {@code application.properties}. */
    public record Settings(boolean enabled, long maxPendingBytes, Duration retention, long maxBytes) {
    }

    private final Settings settings;
    private final DeliveryLogDatabase database;
    private final LogRows rows;
    private final FailureDescriptions failures;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean running;
    private Thread writerThread;

    public DeliveryLog(Settings settings, DeliveryLogDatabase database, Redaction redaction,
                       FailureDescriptions failures, PipelineMetrics metrics, Clock clock) {
        this.settings = settings;
        this.database = database;
        this.rows = new LogRows(redaction);
        this.failures = failures;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("delivery.log.pending.bytes", pendingBytes);
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

    /**
     * A batch about to be posted: its events, and the JSON it is posted with (taken as it is, unless personal data is
     * redacted). A batch posted again (from the retry queue) is logged once.
     */
    public void posting(@Body byte[] payload, @ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                        @ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk) {
        if (running) {
            offer(new Entry(List.of(rows.batch(batch, chunk, payload, clock.millis())), null, 0));
        }
    }

    /**
     * A chunk settled: the events no mapping took, and the records and events rejected.
     *
     * @param matcher the matcher of the mappings version the chunk was mapped by, which says why an event was filtered
     */
    public void settled(@ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk,
                        @ExchangeProperty(ConvertedChunk.PROPERTY) ConvertedChunk converted,
                        @ExchangeProperty(MappingMatcher.PROPERTY) MappingMatcher matcher) {
        if (running) {
            List<LoggedGroup> groups = rows.settled(chunk, converted, matcher, clock.millis());
            if (!groups.isEmpty()) {
                offer(new Entry(groups, null, 0));
            }
        }
    }

    /** An event the HTTP source refused while it accepted the rest of its request. */
    public void refused(InputSource source, long position, String reason, String raw) {
        if (running) {
            offer(new Entry(List.of(rows.refused(source, position, reason, raw, clock.millis())), null, 0));
        }
    }

    /** A batch LaunchDarkly found too large: its halves are sent on their own, under payload IDs of their own. */
    public void split(@Body LaunchDarklyBatch batch) {
        long now = clock.millis();
        List<String> halves = batch.halves().stream().map(LaunchDarklyBatch::payloadId).toList();
        offer(change(textBytes(batch.payloadId()) + halves.stream().mapToLong(DeliveryLog::textBytes).sum(),
                writer -> writer.split(batch.payloadId(), halves, now)));
    }

    /** A batch parked in its destination's retry queue; one its open circuit held back is logged here first. */
    public void parked(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause,
                       @ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk) {
        if (!running) {
            return;
        }
        long now = clock.millis();
        String reason = cause == null ? HELD_BACK : failures.describe(cause, batch.destination());
        List<LoggedGroup> unposted = cause == null ? List.of(rows.batch(batch, chunk, null, now)) : List.of();
        offer(new Entry(unposted, writer -> writer.outcome(batch.payloadId(), "retry_pending", reason, now),
                textBytes(batch.payloadId()) + textBytes(reason)));
    }

    /** A batch written to the dead-letter store. */
    public void deadLettered(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch,
                             @ExchangeProperty(FailureDescriptions.DEAD_LETTER_REASON) String reason) {
        long now = clock.millis();
        offer(change(textBytes(batch.payloadId()) + textBytes(reason),
                writer -> writer.outcome(batch.payloadId(), "dead_lettered", reason, now)));
    }

    /** One request for a batch, with LaunchDarkly's answer; a 2xx answer delivers it. */
    void attempt(LaunchDarklyBatch batch, long at, Integer status, long latencyMillis, String error,
                 String responseBody) {
        String payloadId = batch.payloadId();
        offer(change(textBytes(payloadId) + textBytes(error) + textBytes(responseBody), writer -> {
            writer.attempt(payloadId, at, status, latencyMillis, error, responseBody);
            if (status != null && status >= 200 && status < 300) {
                writer.delivered(payloadId, at + latencyMillis);
            }
        }));
    }

    /** Forgets what is older than the retention, then the oldest records while the log is over its size. */
    public void prune() {
        if (!settings.enabled()) {
            return;
        }
        long cutoff = clock.millis() - settings.retention().toMillis();
        offer(change(0, writer -> writer.prune(cutoff, settings.maxBytes())));
    }

    /** A change to the log's batches that holds texts of these bytes. */
    private static Entry change(long bytes, Work work) {
        return new Entry(List.of(), work, bytes);
    }

    /** Roughly what a text held by a change takes in memory. */
    private static long textBytes(String text) {
        return text == null ? 0 : 2L * text.length();
    }

    private void offer(Entry entry) {
        if (!running) {
            return;
        }
        long bytes = entry.bytes();
        if (pendingBytes.addAndGet(bytes) > settings.maxPendingBytes()) {
            pendingBytes.addAndGet(-bytes);
            drop(entry.records(), "the writer is behind (delivery-log.max-pending-bytes="
                    + settings.maxPendingBytes() + ")");
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
                int events = first.records();
                while (events < MAX_EVENTS_PER_COMMIT) {
                    Entry next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    taken.add(next);
                    events += next.records();
                }
                writer = write(writer, taken);
            } catch (InterruptedException e) {
                // stopping: what is queued is still written
                running = false;
            } finally {
                pendingBytes.addAndGet(-taken.stream().mapToLong(Entry::bytes).sum());
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
            if (writer != null && database.isGone()) {
                // deleted under the writer, which would go on writing into the deleted file: start a new one
                LOG.warn("The delivery log {} is gone; a new one is created", database.location());
                close(writer);
                writer = null;
            }
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
