package io.github.segmentld.ingest;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable log in front of the pipeline for events that arrive over HTTP. The accepted events of a request are
 * appended to the current segment as one line, a Segment batch object that names the sender
 * ({@code {"source": "web", "batch": [...]}}), and synced to disk before the request is answered; requests that arrive
 * while a sync runs share the next one (group commit). A segment rolls over, by size or age, into the inbox, where the
 * file route takes it like any dropped file.
 * <p>
 * An answer of 200 means on disk, and nothing else does: a write that fails is cut off again and its request answered
 * 503 with Retry-After; a sync that fails fails every request that relied on it, and the segment is cut back to what
 * was synced and rolled. A messageId of a source is accepted once: it is remembered when its line is synced (not
 * before), and the remembered ones are rebuilt at start from the segments on disk, so that a client's retry across a
 * crash is answered without being accepted twice. Below {@code spool.min-free-bytes} of free disk, requests are
 * answered 503 before anything is written, and accepted again when space returns.
 */
public class Spool extends ServiceSupport implements AcceptedEventsLog {

    /** The spool's settings (see application.properties). */
    public record Settings(Path spoolDir, Path inboxDir, Path doneDir, long maxSegmentBytes, long maxSegmentAgeMillis,
                           long maxBacklogBytes, long minFreeBytes, int retryAfterSeconds, int recentMessageIds,
                           long recentMessageIdsMaxBytes) {
    }

    /** Opens a segment file for appending; tests replace it to make writes and syncs fail. */
    @FunctionalInterface
    interface SegmentFiles {
        FileChannel open(Path path) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final DateTimeFormatter SEGMENT_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS").withZone(ZoneOffset.UTC);
    private static final String SEGMENT_PREFIX = "http-";
    private static final String SEGMENT_SUFFIX = ".ndjson";
    private static final long UNAVAILABLE_LOG_INTERVAL_MILLIS = 60_000;

    private final Settings settings;
    private final SegmentFiles segmentFiles;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition synced = lock.newCondition();
    private final RecentMessageIds recent;
    /** The messageIds of lines written and not yet synced. */
    private final Set<String> pending = new HashSet<>();
    private FileChannel segment;
    private Path segmentPath;
    private long segmentOpenedAt;
    /** Counts segments, so that a request waiting for its sync can tell that its segment was rolled or abandoned. */
    private long generation;
    /** For the last segments closed: how much of each is on disk (all of a rolled one, the synced part of another). */
    private final Map<Long, Long> closedGenerations = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > 64;
        }
    };
    private long written;
    private long syncedUpTo;
    private boolean syncing;
    private long sequence;
    private final AtomicLong backlogBytes = new AtomicLong();
    private volatile long freeBytes = Long.MAX_VALUE;
    private long unavailableLoggedAt;

    public Spool(Settings settings, PipelineMetrics metrics, Clock clock) {
        this(settings, path -> FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                metrics, clock);
    }

    Spool(Settings settings, SegmentFiles segmentFiles, PipelineMetrics metrics, Clock clock) {
        this.settings = settings;
        this.segmentFiles = segmentFiles;
        this.metrics = metrics;
        this.clock = clock;
        this.recent = new RecentMessageIds(settings.recentMessageIds(), settings.recentMessageIdsMaxBytes());
        metrics.gauge("spool.backlog.bytes", backlogBytes);
    }

    /**
     * Moves the segments a previous run left behind into the inbox (what they hold was acknowledged, or was on its way
     * to be), without a line cut off by the crash, and remembers the messageIds of the recent segments.
     */
    @Override
    protected void doStart() throws IOException {
        Files.createDirectories(settings.spoolDir());
        Files.createDirectories(settings.inboxDir());
        try (DirectoryStream<Path> left = Files.newDirectoryStream(settings.spoolDir(), "*" + SEGMENT_SUFFIX)) {
            for (Path segmentFile : left) {
                cutAfterLastLine(segmentFile);
                if (Files.size(segmentFile) > 0) {
                    LOG.info("Moving spool segment {} left by the previous run into the inbox", segmentFile.getFileName());
                    Files.move(segmentFile, settings.inboxDir().resolve(segmentFile.getFileName()),
                            StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.delete(segmentFile);
                }
            }
        }
        rememberRecentMessageIds();
        measure();
    }

    /** On a clean stop, the current segment goes into the inbox too. */
    @Override
    protected void doStop() throws IOException {
        lock.lock();
        try {
            if (segment != null) {
                roll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new events while the backlog waiting for delivery is over its limit (LaunchDarkly down for long, or the
     * inbox stalled), or while the disk is short of space.
     */
    public void checkCapacity() {
        if (backlogBytes.get() > settings.maxBacklogBytes()) {
            metrics.throttled();
            throw new RefusedRequestException(503, "the backlog waiting for delivery is over "
                    + settings.maxBacklogBytes() + " bytes; try again later", settings.retryAfterSeconds());
        }
        if (freeBytes < settings.minFreeBytes()) {
            metrics.throttled();
            throw new RefusedRequestException(503, "the disk is short of space (" + freeBytes + " bytes free); try"
                    + " again later", settings.retryAfterSeconds());
        }
    }

    /**
     * Appends the events (those whose messageId this source sent before are answered but not written again) and
     * returns once they are on disk.
     *
     * @throws RefusedRequestException 503 with Retry-After when they could not be written or synced
     */
    @Override
    public void append(AcceptedEvents accepted) {
        lock.lock();
        try {
            // A messageId of this request in another one still being synced: that one's outcome decides.
            List<String> requested = accepted.events().stream()
                    .map(event -> RecentMessageIds.key(accepted.sender(), event.messageId())).toList();
            while (requested.stream().anyMatch(pending::contains)) {
                synced.awaitUninterruptibly();
            }
            List<AcceptedEvents.Event> fresh = new ArrayList<>(accepted.events().size());
            Set<String> keys = new LinkedHashSet<>();
            for (int i = 0; i < requested.size(); i++) {
                String key = requested.get(i);
                AcceptedEvents.Event event = accepted.events().get(i);
                if (recent.contains(key) || keys.contains(key)) {
                    metrics.filtered("duplicate_message_id", event.type(), 1);
                } else {
                    fresh.add(event);
                    keys.add(key);
                }
            }
            if (fresh.isEmpty()) {
                return;
            }
            long end = write(line(accepted.sender(), fresh));
            long mine = generation;
            pending.addAll(keys);
            try {
                syncUpTo(end, mine);
                keys.forEach(recent::add);
            } finally {
                pending.removeAll(keys);
                synced.signalAll();
            }
            if (segment != null && written >= settings.maxSegmentBytes() && generation == mine) {
                roll();
            }
        } catch (IOException e) {
            throw unavailable(e);
        } finally {
            lock.unlock();
        }
    }

    /** Rolls the current segment into the inbox if it is older than the maximum age; called by a timer. */
    public void rollIfOld() {
        lock.lock();
        try {
            if (segment != null && written > 0 && clock.millis() - segmentOpenedAt >= settings.maxSegmentAgeMillis()) {
                syncUpTo(written, generation);
                roll();
            }
        } catch (IOException e) {
            LOG.warn("Cannot roll spool segment {} into the inbox: {}", segmentPath, e.getMessage());
        } finally {
            lock.unlock();
        }
        measure();
    }

    /** Writes a line at the end of the segment; a write that fails is cut off, so no partial line stays. */
    private long write(byte[] line) throws IOException {
        if (segment == null) {
            open();
        }
        long start = written;
        ByteBuffer buffer = ByteBuffer.wrap(line);
        try {
            while (buffer.hasRemaining()) {
                segment.write(buffer);
            }
        } catch (IOException writeFailed) {
            try {
                segment.truncate(start);
                segment.position(start);
            } catch (IOException cutFailed) {
                abandon("a write failed and could not be cut off: " + cutFailed.getMessage());
            }
            throw writeFailed;
        }
        written = start + line.length;
        return written;
    }

    /**
     * Waits until the segment is synced at least up to {@code position}, syncing it unless another request does. A
     * failed sync abandons the segment: every request waiting on it fails.
     */
    private void syncUpTo(long position, long ofGeneration) throws IOException {
        while (generation != ofGeneration || syncedUpTo < position) {
            if (generation != ofGeneration) {
                if (closedGenerations.getOrDefault(ofGeneration, 0L) >= position) {
                    return;
                }
                throw new IOException("the spool segment could not be synced to disk");
            }
            if (syncing) {
                synced.awaitUninterruptibly();
                continue;
            }
            syncing = true;
            long target = written;
            FileChannel channel = segment;
            IOException failure = null;
            lock.unlock();
            try {
                channel.force(false);
            } catch (IOException e) {
                failure = e;
            } finally {
                lock.lock();
                syncing = false;
                synced.signalAll();
            }
            if (failure != null) {
                abandon("a sync failed: " + failure.getMessage());
                throw failure;
            }
            syncedUpTo = Math.max(syncedUpTo, target);
        }
    }

    /**
     * Gives up the current segment after a failure: it is cut back to what was synced (every request after that is
     * answered 503 and will be sent again) and rolled into the inbox; the next request opens a new one.
     */
    private void abandon(String why) {
        LOG.error("Spool segment {}: {}. Requests not yet synced are answered 503; the segment is cut back to the {} bytes"
                + " synced.", segmentPath, why, syncedUpTo);
        closedGenerations.put(generation, syncedUpTo);
        generation++;
        try {
            segment.truncate(syncedUpTo);
            segment.force(true);
            segment.close();
            if (syncedUpTo > 0) {
                Files.move(segmentPath, settings.inboxDir().resolve(segmentPath.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.delete(segmentPath);
            }
        } catch (IOException e) {
            // Left in the spool folder: at the next start it is cut after its last whole line and moved into the
            // inbox; the messageIds in it are remembered, so the clients' retries are not accepted twice.
            LOG.error("Spool segment {} could not be cut back ({}); it stays in {} until the next start", segmentPath,
                    e.getMessage(), settings.spoolDir());
        }
        segment = null;
        segmentPath = null;
        synced.signalAll();
    }

    private void open() throws IOException {
        Files.createDirectories(settings.spoolDir());
        segmentOpenedAt = clock.millis();
        segmentPath = settings.spoolDir().resolve(SEGMENT_PREFIX + SEGMENT_TIME.format(Instant.ofEpochMilli(segmentOpenedAt))
                + "-" + (sequence++) + SEGMENT_SUFFIX);
        segment = segmentFiles.open(segmentPath);
        generation++;
        written = 0;
        syncedUpTo = 0;
    }

    private void roll() throws IOException {
        while (syncing) {
            synced.awaitUninterruptibly();
        }
        if (segment == null) {
            return; // rolled by another request while this one waited for the sync to end
        }
        segment.force(true);
        segment.close();
        Files.move(segmentPath, settings.inboxDir().resolve(segmentPath.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        segment = null;
        segmentPath = null;
        closedGenerations.put(generation, written);
        generation++;
        synced.signalAll();
    }

    private byte[] line(String source, List<AcceptedEvents.Event> events) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(events.stream().mapToInt(e -> e.json().length + 1).sum() + 64);
        line.write("{\"source\":".getBytes(StandardCharsets.UTF_8));
        mapper.writeValue(line, source);
        line.write(",\"batch\":[".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                line.write(',');
            }
            line.write(events.get(i).json());
        }
        line.write("]}\n".getBytes(StandardCharsets.UTF_8));
        return line.toByteArray();
    }

    private RefusedRequestException unavailable(IOException cause) {
        measure();
        metrics.throttled();
        long now = clock.millis();
        if (now - unavailableLoggedAt >= UNAVAILABLE_LOG_INTERVAL_MILLIS) {
            unavailableLoggedAt = now;
            LOG.error("Cannot store events in the spool ({}): requests are answered 503 with Retry-After {} s until it"
                    + " can (logged at most once a minute)", cause.getMessage(), settings.retryAfterSeconds());
        }
        return new RefusedRequestException(503, "the events could not be stored (" + cause.getMessage() + "); try again"
                + " later", settings.retryAfterSeconds());
    }

    /** Cuts a segment after its last complete line: a crash during a write may have left part of one. */
    private static void cutAfterLastLine(Path segmentFile) throws IOException {
        try (FileChannel channel = FileChannel.open(segmentFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long end = channel.size();
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < channel.size()) {
                LOG.info("Cutting off the last {} bytes of {}: a line the previous run did not finish writing",
                        channel.size() - end, segmentFile.getFileName());
                channel.truncate(end);
                channel.force(true);
            }
        }
    }

    /**
     * Remembers the messageIds of the most recent segments, in the inbox and the done folder, newest first until the
     * bound of the recent messageIds is reached.
     */
    private void rememberRecentMessageIds() throws IOException {
        List<Path> segments = new ArrayList<>();
        for (Path dir : List.of(settings.inboxDir(), settings.doneDir())) {
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
                    files.forEach(segments::add);
                }
            }
        }
        segments.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        List<List<String>> newestFirst = new ArrayList<>();
        long count = 0;
        for (Path segmentFile : segments) {
            if (count >= settings.recentMessageIds()) {
                break;
            }
            List<String> keys = keysIn(segmentFile);
            newestFirst.add(keys);
            count += keys.size();
        }
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            newestFirst.get(i).forEach(recent::add);
        }
        if (recent.size() > 0) {
            LOG.info("Remembering {} recent messageIds from {} spool segments", recent.size(), newestFirst.size());
        }
    }

    private List<String> keysIn(Path segmentFile) {
        List<String> keys = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(segmentFile, StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode request;
                try {
                    request = mapper.readTree(line);
                } catch (IOException unreadable) {
                    continue;
                }
                String source = request.path("source").asText();
                for (JsonNode event : request.path("batch")) {
                    if (event.hasNonNull("messageId")) {
                        keys.add(RecentMessageIds.key(source, event.get("messageId").asText()));
                    }
                }
            }
        } catch (NoSuchFileException committedMeanwhile) {
            // the file route moved it to the done folder, where it is not read again
        } catch (IOException e) {
            LOG.warn("Cannot read the messageIds of {}: {}", segmentFile, e.getMessage());
        }
        return keys;
    }

    /** Measures the backlog waiting in the inbox and the free disk space, and logs when either crosses its limit. */
    private void measure() {
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(settings.inboxDir())) {
            for (Path file : files) {
                try {
                    total += Files.size(file);
                } catch (NoSuchFileException committedMeanwhile) {
                    // the file route moved it to the done folder
                }
            }
            long free = Files.getFileStore(settings.spoolDir()).getUsableSpace();
            if ((freeBytes < settings.minFreeBytes()) != (free < settings.minFreeBytes())) {
                if (free < settings.minFreeBytes()) {
                    LOG.error("The disk of {} has {} bytes free, under spool.min-free-bytes ({}): HTTP requests are"
                            + " answered 503 with Retry-After until space returns", settings.spoolDir(), free,
                            settings.minFreeBytes());
                } else {
                    LOG.info("The disk of {} has {} bytes free again: accepting HTTP requests", settings.spoolDir(), free);
                }
            }
            freeBytes = free;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the inbox backlog in " + settings.inboxDir(), e);
        }
        long before = backlogBytes.getAndSet(total + written);
        long limit = settings.maxBacklogBytes();
        if ((before > limit) != (total + written > limit)) {
            if (total + written > limit) {
                LOG.warn("Backlog of {} bytes is over the limit of {}: HTTP requests are answered 503 with Retry-After {} s",
                        total + written, limit, settings.retryAfterSeconds());
            } else {
                LOG.info("Backlog back under the limit ({} bytes): accepting HTTP requests again", total + written);
            }
        }
    }
}
