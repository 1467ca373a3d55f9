package io.github.segmentld.undelivered;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.mapping.TransformedEvents;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.DeliveryLedger.RejectionFileLength;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.DurableFiles;
import io.github.segmentld.store.WorkFolderFormat;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what cannot be delivered because of its content (never retried): unreadable records of an input, events
 * the HTTP source refused, and events that fail an action's validation, with Segment's error text. Records go to
 * {@code <dir>/rejected-<day>.ndjson}, one JSON object per line: {@code formatVersion}
 * ({@link WorkFolderFormat#REJECTION_RECORD}), {@code time}, {@code input}, {@code position}, {@code reason}, and
 * either the {@code event} or the {@code raw} text.
 * <p>
 * The rejections of a chunk are written when the chunk is settled, synced, and the file's new length is recorded in
 * the delivery ledger together with the chunk's settlement; the folder is synced when a day's file is opened, so that
 * no power cut takes a file the ledger counts on. At start, each file is cut back to the length its settled chunks
 * account for: the records of a chunk whose settlement a crash interrupted are removed, and written
 * again when its input is read again. So each rejection is recorded exactly once.
 */
public class RejectionRecorder extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(RejectionRecorder.class);
    private static final int LOGGED_IN_FULL = 100;
    private static final int LOG_EVERY = 1000;

    private final Path dir;
    private final DeliveryLedger ledger;
    private final ObjectMapper mapper;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final AtomicLong recorded = new AtomicLong();
    private Map<Path, Long> committedAtStart = Map.of();
    private LocalDate day;
    private Path file;
    private FileChannel out;
    private long committed;

    public RejectionRecorder(Path dir, DeliveryLedger ledger, ObjectMapper mapper, PipelineMetrics metrics, Clock clock) {
        this.dir = dir;
        this.ledger = ledger;
        this.mapper = mapper;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Cuts each rejection file back to the length its settled chunks account for. */
    @Override
    protected void doStart() throws IOException {
        committedAtStart = ledger.rejectionFileLengths();
        for (Map.Entry<Path, Long> entry : committedAtStart.entrySet()) {
            Path rejections = entry.getKey();
            if (Files.exists(rejections) && Files.size(rejections) > entry.getValue()) {
                try (FileChannel channel = FileChannel.open(rejections, StandardOpenOption.WRITE)) {
                    LOG.info("Removing {} bytes of {} written for chunks not settled before the last stop; they are"
                            + " recorded again as their inputs are read again", channel.size() - entry.getValue(),
                            rejections.getFileName());
                    channel.truncate(entry.getValue());
                    channel.force(true);
                }
            }
        }
    }

    @Override
    protected synchronized void doStop() throws IOException {
        if (out != null) {
            out.close();
            out = null;
            day = null;
        }
    }

    /**
     * Records the events one HTTP request had refused (no user identity, a track without event, too large...), all
     * together: one sync of the file and one commit of its length, whatever their number, so that a request full of
     * bad events costs what a good one does.
     */
    public void refuse(List<Rejection> refused) {
        synchronized (this) {
            RejectionFileLength length = append(refused);
            try {
                ledger.recordRejectionFile(length);
                committed = length.bytes();
            } finally {
                rollBackUncommitted();
            }
        }
        refused.forEach(this::count);
    }

    /**
     * Settles the chunk: writes its rejections (the records of its input that could not be read, and the events the
     * actions turned down), then records in the delivery ledger that the chunk is settled, together with the length
     * of the rejection file; returns once both are on disk. A chunk without rejections is recorded settled without
     * waiting (see {@link DeliveryLedger#settleChunkLater}).
     */
    public void settle(@ExchangeProperty(EventChunk.PROPERTY) EventChunk chunk,
                       @ExchangeProperty(ConvertedChunk.PROPERTY) ConvertedChunk converted) {
        List<Rejection> rejections = new ArrayList<>(chunk.rejections());
        for (TransformedEvents.Invalid invalid : converted.invalid()) {
            rejections.add(new Rejection(invalid.kind(), chunk.source(), invalid.event().position(), invalid.reason(),
                    null, invalid.event().json(), invalid.destination(), invalid.mapping()));
            if (invalid.mapping() != null) {
                metrics.invalid(invalid.destination(), invalid.mapping());
            }
        }
        if (rejections.isEmpty()) {
            ledger.settleChunkLater(chunk.getKey());
            return;
        }
        synchronized (this) {
            RejectionFileLength length = append(rejections);
            try {
                ledger.settleChunk(chunk.getKey(), length);
                committed = length.bytes();
            } finally {
                rollBackUncommitted();
            }
        }
        rejections.forEach(this::count);
    }

    /** Appends the records to today's file and syncs it; returns the file's new length. */
    private RejectionFileLength append(List<Rejection> rejections) {
        try {
            FileChannel target = outputFor(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            for (Rejection rejection : rejections) {
                mapper.writeValue(lines, record(rejection));
                lines.write('\n');
            }
            ByteBuffer buffer = ByteBuffer.wrap(lines.toByteArray());
            while (buffer.hasRemaining()) {
                target.write(buffer);
            }
            target.force(false);
            return new RejectionFileLength(file, target.position());
        } catch (IOException e) {
            rollBackUncommitted();
            throw new UncheckedIOException("cannot write rejection records to " + dir, e);
        }
    }

    /** Cuts today's file back to what is committed, so that records of a failed settlement are not counted in later. */
    private void rollBackUncommitted() {
        try {
            if (out != null && out.size() != committed) {
                out.truncate(committed);
                out.position(committed);
            }
        } catch (IOException e) {
            LOG.warn("Cannot cut {} back to {} bytes: {}", file, committed, e.getMessage());
        }
    }

    private ObjectNode record(Rejection rejection) {
        ObjectNode record = mapper.createObjectNode();
        record.put(WorkFolderFormat.FIELD, WorkFolderFormat.REJECTION_RECORD.version());
        record.put("time", clock.instant().toString());
        record.put("input", rejection.source().name());
        record.put("position", rejection.source().positionUnit() + " " + rejection.position());
        record.put("reason", rejection.reason());
        if (rejection.destination() != null) {
            record.put("destination", rejection.destination());
            record.put("mapping", rejection.mapping());
        }
        if (rejection.event() != null) {
            record.set("event", rejection.event());
        } else {
            record.put("raw", rejection.raw());
        }
        return record;
    }

    private void count(Rejection rejection) {
        metrics.rejected(rejection.kind());
        long n = recorded.incrementAndGet();
        if (n <= LOGGED_IN_FULL || n % LOG_EVERY == 0) {
            LOG.warn("Rejected {} {} of {}: {} ({} rejections so far, recorded in {})", rejection.source().positionUnit(),
                    rejection.position(), rejection.source().name(), rejection.reason(), n, dir);
        }
    }

    private FileChannel outputFor(LocalDate today) throws IOException {
        if (!today.equals(day)) {
            if (out != null) {
                out.close();
            }
            DurableFiles.createDirectories(dir);
            file = dir.resolve("rejected-" + today + ".ndjson").toAbsolutePath();
            out = openDayFile(file);
            // the ledger is about to record this file's length: its name must survive a power cut first (synced at
            // every opening, not only at creation, in case a crash came between a creation and its sync)
            DurableFiles.syncDirectory(dir);
            committed = committedAtStart.getOrDefault(file, out.size());
            out.position(committed);
            day = today;
        }
        return out;
    }

    /** Opens a day's file for appending; a test counts its syncs through it. */
    FileChannel openDayFile(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    }
}
