package io.github.segmentld.launchdarkly;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.DeliveryLedger.Outcome;
import io.github.segmentld.store.ParkedBatches.Depth;
import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.time.Ticker;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry queue of each destination instance. A batch that still fails after its redeliveries in line, or that its
 * destination's open circuit holds back, is parked here, durably, with its events and its payload ID; the input it
 * came from counts it as settled and goes on. Each destination's retry-queue route takes what is due and sends it
 * again (same payload ID), with exponential backoff, until the retry time is over; then the batch is dead-lettered.
 * <p>
 * Each queue has a size limit (deflated bytes): a batch that would take a queue over it is dead-lettered at once,
 * with an ERROR line, and the other destinations carry on.
 * <p>
 * A parked batch whose document a newer release wrote (shared by an instance of that release) is neither sent nor
 * dead-lettered: it stays parked as it is, for that release, with an ERROR line once, and the queue's health names it;
 * the queue's other batches go on.
 */
public class RetryQueue extends ServiceSupport {

    /** The exchange property that holds a parked batch whose document cannot be read ({@link DamagedBatch}). */
    public static final String DAMAGED = "launchDarklyDamagedBatch";
    private static final Logger LOG = LoggerFactory.getLogger(RetryQueue.class);
    private static final long DEPTH_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * When a parked batch is tried again: after {@code initialDelay × multiplier^(attempts - 1)}, at most
     * {@code maxDelay}, for {@code maxRetryTime} from its first failure.
     */
    public record Schedule(Duration initialDelay, double multiplier, Duration maxDelay, Duration maxRetryTime) {

        long delayAfter(int attempts) {
            double delay = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempts - 1));
            return (long) Math.min(delay, maxDelay.toMillis());
        }
    }

    /** A parked batch whose document cannot be read, as it is stored, and why it cannot be read. */
    public record DamagedBatch(Parked parked, String reason) {
    }

    private final ParkedBatches parked;
    private final DestinationCircuits circuits;
    /** The enabled instances, by name, in the order of the mappings file; replaced as a whole by a reload. */
    private volatile Map<String, EventsEndpoint> destinations = Map.of();
    private final Set<String> measured = ConcurrentHashMap.newKeySet();
    private final Schedule schedule;
    private final long maxQueueBytes;
    private final int drainBatches;
    private final ObjectMapper mapper;
    private final FailureDescriptions failures;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private volatile Map<String, Depth> depths = Map.of();
    /** When the depths were read, on monotonic time: a clock stepped back must not leave them stale. */
    private long depthsReadAt;
    private volatile boolean depthsStale = true;
    /** The payload IDs of each destination's batches left parked for a newer release ({@link #load}). */
    private final Map<String, Set<String>> newerRelease = new ConcurrentHashMap<>();

    /**
     * @param maxQueueBytes the size limit of each destination's queue, in deflated bytes
     * @param drainBatches  how many due batches of a destination one run of its retry-queue route sends at most
     */
    public RetryQueue(ParkedBatches parked, DestinationCircuits circuits, List<EventsEndpoint> destinations,
                      Schedule schedule, long maxQueueBytes, int drainBatches, ObjectMapper mapper,
                      FailureDescriptions failures, PipelineMetrics metrics, Clock clock) {
        this.parked = parked;
        this.circuits = circuits;
        this.schedule = schedule;
        this.maxQueueBytes = maxQueueBytes;
        this.drainBatches = drainBatches;
        this.mapper = mapper;
        this.failures = failures;
        this.metrics = metrics;
        this.clock = clock;
        destinations(destinations);
    }

    /**
     * The destination instances whose queues are drained, as a reload changes them: the batches of an instance left
     * out stay parked, untouched, until it is configured again (as after a restart without it); an instance added gets
     * its gauges.
     */
    public void destinations(List<EventsEndpoint> enabled) {
        Map<String, EventsEndpoint> byName = new LinkedHashMap<>();
        enabled.forEach(destination -> byName.put(destination.name(), destination));
        Set<String> before = this.destinations.keySet();
        this.destinations = Collections.unmodifiableMap(byName);
        byName.keySet().stream().filter(measured::add).forEach(this::measure);
        before.stream().filter(name -> !byName.containsKey(name)).forEach(name -> {
            Depth depth = depth(name);
            if (depth.batches() > 0) {
                logLeftParked(name, depth);
            }
        });
    }

    private static void logLeftParked(String destination, Depth depth) {
        LOG.warn("{} batches ({} events) wait in the retry queue of destination '{}', which is not configured:"
                + " they stay there until it is configured again", depth.batches(), depth.events(), destination);
    }

    private void measure(String destination) {
        metrics.gauge("launchdarkly.retry.queue.batches", destination, () -> depth(destination).batches());
        metrics.gauge("launchdarkly.retry.queue.events", destination, () -> depth(destination).events());
        metrics.gauge("launchdarkly.retry.queue.bytes", destination, () -> depth(destination).bytes());
        metrics.gauge("launchdarkly.retry.queue.oldest.age.seconds", destination, () -> {
            long oldest = depth(destination).oldestFirstFailedAt();
            return oldest == 0 ? 0 : (clock.millis() - oldest) / 1000.0;
        });
        metrics.gauge("launchdarkly.circuit.state", destination, () -> circuits.state(destination).getOrder());
    }

    /** The destination instances that have a retry queue. */
    public Set<String> destinations() {
        return destinations.keySet();
    }

    /** Logs what waits in the queues at start, and what waits for a destination that is no longer configured. */
    @Override
    protected void doStart() {
        readDepths().forEach((destination, depth) -> {
            if (destinations.containsKey(destination)) {
                LOG.info("Destination '{}': {} batches ({} events) wait in its retry queue since {}", destination,
                        depth.batches(), depth.events(), Instant.ofEpochMilli(depth.oldestFirstFailedAt()));
            } else {
                logLeftParked(destination, depth);
            }
        });
    }

    /**
     * Parks the batch of the exchange, unless it must be dead-lettered instead (its retry time is over, or its queue
     * is full): then the reason is set in {@link FailureDescriptions#DEAD_LETTER_REASON}.
     */
    public void park(Exchange exchange) {
        LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
        // No exception: the destination's circuit held the batch back, and no request was made.
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String destination = batch.destination().name();
        long now = clock.millis();
        LaunchDarklyBatch.Retry before = batch.retry();
        int attempts = (before == null ? 0 : before.attempts())
                + (cause == null ? 0 : 1 + exchange.getProperty(RedeliveryLogger.REDELIVERIES, 0, Integer.class));
        long firstFailedAt = before == null ? now : before.firstFailedAt();
        String failure = cause == null ? "not sent: the destination's circuit is open"
                : failures.describe(cause, batch.destination());
        if (cause != null && now - firstFailedAt >= schedule.maxRetryTime().toMillis()) {
            deadLetter(exchange, "LaunchDarkly kept failing for " + schedule.maxRetryTime() + ", the retry time ("
                    + attempts + " attempts); last: " + failure);
            return;
        }
        long nextAttemptAt = Math.max(now + (cause == null ? 0 : schedule.delayAfter(attempts)),
                circuits.reopensAt(destination));
        if (batch.isQueued() && cause == null) {
            parked.postponeLater(batch.payloadId(), nextAttemptAt);
            return;
        }
        byte[] document = BatchDocument.deflate(batch, mapper);
        if (!parked.park(new Parked(batch.payloadId(), destination, batch.size(), document, firstFailedAt, attempts,
                nextAttemptAt, failure), maxQueueBytes)) {
            LOG.error("RETRY QUEUE FULL for destination {}: limit {} bytes (retry-queue.max-bytes). Batch {} ({} events)"
                    + " is dead-lettered instead; the other destinations carry on.", batch.destination(),
                    maxQueueBytes, batch.payloadId(), batch.size());
            deadLetter(exchange, "the retry queue of destination '" + destination + "' is full ("
                    + maxQueueBytes + " bytes); last failure: " + failure);
            return;
        }
        depthsStale = true;
        if (!batch.isQueued()) {
            metrics.parked(destination, batch.size());
            metrics.failed(destination, batch.eventsByMapping(), failure);
        }
        if (cause != null) {
            LOG.warn("Parked batch {} ({} events) for {} in its retry queue after {} attempts, next at {}: {}",
                    batch.payloadId(), batch.size(), batch.destination(), attempts, Instant.ofEpochMilli(nextAttemptAt),
                    failure);
        }
    }

    private static void deadLetter(Exchange exchange, String reason) {
        exchange.setProperty(FailureDescriptions.DEAD_LETTER_REASON, reason);
    }

    /**
     * The payload IDs of the destination's batches due now: none while its circuit is open, one (the probe) when the
     * circuit waits for one, and up to the drain limit while it is closed.
     */
    public List<String> due(String destination) {
        if (!circuits.isClosed(destination) && !circuits.awaitsProbe(destination)) {
            return List.of();
        }
        int limit = circuits.isClosed(destination) ? drainBatches : 1;
        Set<String> left = newerRelease.getOrDefault(destination, Set.of());
        if (left.isEmpty()) {
            return parked.due(destination, limit);
        }
        // the batches left for a newer release are always due: asked for beyond the limit, and skipped
        List<String> due = parked.due(destination, limit + left.size());
        if (due.size() < limit + left.size()) {
            // every due batch is here: one left that is not has left the queue (another instance sent it)
            left.retainAll(due);
        }
        return due.stream().filter(payloadId -> !left.contains(payloadId)).limit(limit).toList();
    }

    /** How many batches of the destination's queue were written by a newer release, and are left parked for it. */
    public int leftForNewerRelease(String destination) {
        return newerRelease.getOrDefault(destination, Set.of()).size();
    }

    /**
     * Puts the parked batch whose payload ID is the body in the body, ready to be sent again; null when it has left the
     * queue meanwhile, its destination is no longer configured, a newer release wrote it (it stays parked), or its
     * document cannot be read: then the batch, as it is stored, is in {@link #DAMAGED} with why, to be dead-lettered
     * before it leaves the queue ({@link #removeDamaged}).
     */
    public void load(Exchange exchange) {
        String payloadId = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(null);
        Parked row = parked.load(payloadId);
        if (row == null) {
            return;
        }
        EventsEndpoint destination = destinations.get(row.destination());
        if (destination == null) {
            return;
        }
        try {
            exchange.getMessage().setBody(BatchDocument.inflate(row.document(), payloadId, destination,
                    new LaunchDarklyBatch.Retry(row.firstFailedAt(), row.attempts(), true), mapper));
        } catch (BatchDocument.NewerDocumentException newer) {
            if (newerRelease.computeIfAbsent(row.destination(), d -> ConcurrentHashMap.newKeySet()).add(payloadId)) {
                LOG.error("Parked batch {} of destination '{}' was {}: it stays parked, untouched, until that release"
                        + " sends it", payloadId, row.destination(), newer.getMessage());
            }
        } catch (IOException damaged) {
            LOG.error("Parked batch {} of destination '{}' cannot be read ({}); it is dead-lettered as it is stored",
                    payloadId, row.destination(), damaged.getMessage());
            exchange.setProperty(DAMAGED, new DamagedBatch(row,
                    "parked batch document could not be read: " + damaged.getMessage()));
        }
    }

    /** Takes a damaged batch out of its queue, once its dead letter is stored. */
    public void removeDamaged(@ExchangeProperty(DAMAGED) DamagedBatch damaged) {
        Parked row = damaged.parked();
        parked.remove(row.payloadId(), row.destination(), Outcome.DEAD_LETTERED, row.events());
        depthsStale = true;
    }

    /** The destination's queue as last read (at most a second ago, and after the last batch parked). */
    public Depth depth(String destination) {
        return readDepths().getOrDefault(destination, Depth.EMPTY);
    }

    private synchronized Map<String, Depth> readDepths() {
        long now = Ticker.SYSTEM.nanos();
        if (depthsStale || now - depthsReadAt >= DEPTH_REFRESH_NANOS) {
            depthsStale = false;
            depths = parked.depths();
            depthsReadAt = now;
        }
        return depths;
    }
}
