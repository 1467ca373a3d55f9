package io.github.segmentld.kafka;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.kafka.KafkaChunks.Cut;
import io.github.segmentld.kafka.PartitionPlan.Chunk;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer of the group and its loop, which never waits for its own chunks: each poll's records are cut into
 * chunks ({@link PartitionPlan}), the plan is committed (synchronously: no chunk is processed before a committed plan
 * covers it), and the chunks go to the pipeline while the next poll is read, at most {@code concurrency} of them in
 * flight. As chunks settle (on the pipeline's threads, which hand the settlement over through a queue, as the consumer
 * is used only from this thread), each partition's offset moves past the chunks settled in offset order and is
 * committed asynchronously; when the chunks in flight reach the bound, the partitions are paused and the loop keeps
 * polling, so that the group keeps the member. A partition taken away (rebalance) or a stop waits a bounded time for
 * its chunks in flight and commits what settled synchronously; what did not is read again by the partition's next
 * owner, cut at the same offsets (the ledger skips the chunks settled). A chunk that fails (its storage failing) stops
 * its partition: once its chunks in flight are settled, it is read again from its first unsettled chunk after
 * {@code retryDelay}.
 */
public final class KafkaChunkLoop implements Runnable {

    /** Where chunks are processed: {@code settled} is called once, from any thread, with the failure if there was one. */
    public interface Pipeline {
        void process(Cut cut, java.util.function.Consumer<Throwable> settled);
    }

    private record Handed(PartitionPlan plan, Chunk chunk) {
    }

    private record Settlement(PartitionPlan plan, Chunk chunk, Throwable failure) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaChunkLoop.class);
    /** How long a poll waits for records: also how long a stop may wait for the poll under way. */
    private static final Duration POLL = Duration.ofSeconds(1);
    /** While chunks are in flight, polls are short, so that what settles is committed soon. */
    private static final Duration POLL_WHILE_SETTLING = Duration.ofMillis(50);
    /** While chunks in flight are at the bound, the loop waits this long for one to settle between polls. */
    private static final long FULL_WAIT_MILLIS = 200;

    private final Consumer<byte[], byte[]> consumer;
    private final Collection<String> topics;
    private final int chunkSize;
    private final int concurrency;
    private final long retryDelayMillis;
    private final long settleWaitMillis;
    private final Pipeline pipeline;
    private final Map<TopicPartition, PartitionPlan> plans = new HashMap<>();
    /** Planned and committed, not handed to the pipeline yet (beyond the bound). */
    private final Deque<Handed> ready = new ArrayDeque<>();
    private final BlockingQueue<Settlement> settlements = new LinkedBlockingQueue<>();
    private final Listener listener = new Listener();
    private int inFlight;
    private volatile boolean running = true;

    /**
     * @param settleWaitMillis how long a partition taken away or a stop waits for its chunks in flight (the rebalance
     *                         waits for it); what is not settled by then is read again by the partition's next owner
     */
    public KafkaChunkLoop(Consumer<byte[], byte[]> consumer, Collection<String> topics, int chunkSize,
                          int concurrency, long retryDelayMillis, long settleWaitMillis, Pipeline pipeline) {
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.chunkSize = chunkSize;
        this.concurrency = concurrency;
        this.retryDelayMillis = retryDelayMillis;
        this.settleWaitMillis = settleWaitMillis;
        this.pipeline = pipeline;
    }

    @Override
    public void run() {
        subscribe();
        try {
            while (running) {
                try {
                    step();
                } catch (WakeupException stop) {
                    // stop() woke the poll
                } catch (KafkaException | IllegalStateException unexpected) {
                    LOG.error("Kafka: the consumer failed ({}); its partitions are read again from the committed "
                            + "plan in {} ms", unexpected.toString(), retryDelayMillis);
                    consumer.unsubscribe();
                    sleep(retryDelayMillis);
                    subscribe();
                }
            }
        } finally {
            try {
                settle(Set.copyOf(plans.keySet()));
            } finally {
                consumer.close();
            }
        }
    }

    /** Stops the loop (from any thread): chunks in flight are waited for a bounded time, what settled is committed. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    void subscribe() {
        consumer.subscribe(topics, listener);
    }

    ConsumerRebalanceListener listener() {
        return listener;
    }

    /** One turn: what settled is committed, chunks are handed out up to the bound, and the consumer polls. */
    void step() {
        drain(0);
        rewindFailed();
        commit(false);
        handOut();
        boolean room = ready.isEmpty() && inFlight < concurrency;
        pauseUnless(room);
        ConsumerRecords<byte[], byte[]> records = consumer.poll(!room ? Duration.ZERO
                : inFlight == 0 ? POLL : POLL_WHILE_SETTLING);
        if (!records.isEmpty()) {
            plan(records);
            handOut();
        } else if (!room) {
            drain(FULL_WAIT_MILLIS);
        }
    }

    /** Called from the pipeline's threads: the chunk is settled, or could not be. */
    private void settled(PartitionPlan plan, Chunk chunk, Throwable failure) {
        settlements.add(new Settlement(plan, chunk, failure));
    }

    private void plan(ConsumerRecords<byte[], byte[]> records) {
        List<Handed> cut = new ArrayList<>();
        Map<PartitionPlan, Long> firstCut = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            PartitionPlan plan = plans.get(partition);
            if (plan == null || plan.failed) {
                // a failed partition is read again from its first unsettled chunk (rewindFailed seeks there)
                continue;
            }
            List<Chunk> chunks = plan.cut(records.records(partition), chunkSize);
            if (plan.full()) {
                consumer.seek(partition, plan.next()); // what was not cut, read again once the partition resumes
            }
            if (!chunks.isEmpty()) {
                firstCut.put(plan, chunks.get(0).cut.start());
            }
            chunks.forEach(chunk -> cut.add(new Handed(plan, chunk)));
        }
        if (cut.isEmpty()) {
            return;
        }
        try {
            commit(true);
            ready.addAll(cut);
        } catch (KafkaException notCommitted) {
            // Not one chunk is processed without its plan: they are read again (after the rebalance, by whoever owns
            // their partition then), cut at the same offsets.
            firstCut.forEach((plan, from) -> consumer.seek(plan.partition, plan.rewind(from)));
            if (notCommitted instanceof WakeupException) {
                throw notCommitted;
            }
            LOG.info("Kafka: the plan of partitions {} could not be committed ({}); they are read again",
                    firstCut.keySet().stream().map(plan -> plan.partition).toList(), notCommitted.toString());
        }
    }

    private void handOut() {
        while (!ready.isEmpty() && inFlight < concurrency) {
            Handed next = ready.poll();
            PartitionPlan plan = next.plan();
            inFlight++;
            plan.inFlight++;
            pipeline.process(next.chunk().cut, failure -> settled(plan, next.chunk(), failure));
        }
    }

    /**
     * Pauses every partition while the chunks in flight are at the bound, and those waiting to be read again or whose
     * plan is full.
     */
    private void pauseUnless(boolean room) {
        long now = System.currentTimeMillis();
        Set<TopicPartition> paused = new HashSet<>();
        Set<TopicPartition> resumed = new HashSet<>();
        for (TopicPartition partition : consumer.assignment()) {
            PartitionPlan plan = plans.get(partition);
            boolean pause = !room || plan == null || plan.failed || plan.pausedUntil > now || plan.full();
            (pause ? paused : resumed).add(partition);
        }
        consumer.pause(paused);
        consumer.resume(resumed);
    }

    /** Applies the settlements that came, waiting up to {@code waitMillis} for the first. */
    private void drain(long waitMillis) {
        List<Settlement> came = new ArrayList<>();
        if (waitMillis > 0) {
            try {
                Settlement first = settlements.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (first != null) {
                    came.add(first);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
        settlements.drainTo(came);
        for (Settlement settlement : came) {
            PartitionPlan plan = settlement.plan();
            inFlight--;
            plan.inFlight--;
            if (plans.get(plan.partition) != plan) {
                continue;
            }
            if (settlement.failure() == null) {
                settlement.chunk().settled = true;
            } else if (!plan.failed) {
                plan.failed = true;
                ready.removeIf(handed -> handed.plan() == plan);
                LOG.error("Kafka: a chunk of {} could not be settled ({}); the partition is read again from its "
                        + "first unsettled chunk in {} ms", settlement.chunk().cut.partition(),
                        settlement.failure().getMessage(), retryDelayMillis);
            }
        }
    }

    /** A failed partition whose chunks in flight are all back is read again from its first unsettled chunk. */
    private void rewindFailed() {
        for (PartitionPlan plan : plans.values()) {
            if (plan.failed && plan.inFlight == 0) {
                long from = plan.firstUnsettled();
                if (from >= 0) {
                    consumer.seek(plan.partition, plan.rewind(from));
                }
                plan.failed = false;
                plan.pausedUntil = System.currentTimeMillis() + retryDelayMillis;
            }
        }
    }

    /**
     * Commits each partition's progress and plan where it changed: synchronously for a plan that grew (its chunks
     * are processed only once it is committed), asynchronously for chunks settled.
     */
    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> points = commitPoints(plans.values());
        if (points.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(points);
        } else {
            consumer.commitAsync(points, (offsets, failure) -> {
                if (failure != null) {
                    // committed with what settles next, or read again by the partition's next owner
                    LOG.debug("Kafka: a commit failed: {}", failure.toString());
                    offsets.keySet().forEach(partition -> {
                        PartitionPlan plan = plans.get(partition);
                        if (plan != null) {
                            plan.committed(null);
                        }
                    });
                }
            });
        }
        points.forEach((partition, point) -> plans.get(partition).committed(point));
    }

    /**
     * Waits a bounded time for the chunks in flight of these partitions, commits what settled, and lets the
     * partitions go: what is not settled is read again by their next owner, from the committed plan.
     */
    private void settle(Set<TopicPartition> partitions) {
        List<PartitionPlan> leaving = partitions.stream().map(plans::get).filter(plan -> plan != null).toList();
        ready.removeIf(handed -> leaving.contains(handed.plan()));
        drain(0);
        long deadline = System.currentTimeMillis() + settleWaitMillis;
        while (leaving.stream().anyMatch(plan -> plan.inFlight > 0) && System.currentTimeMillis() < deadline) {
            drain(Math.max(1, Math.min(FULL_WAIT_MILLIS, deadline - System.currentTimeMillis())));
        }
        Map<TopicPartition, OffsetAndMetadata> points = commitPoints(leaving);
        leaving.forEach(plan -> plans.remove(plan.partition));
        try {
            if (!points.isEmpty()) {
                consumer.commitSync(points);
            }
        } catch (KafkaException notCommitted) {
            LOG.info("Kafka: the settled chunks of {} are read again by their next owner ({})", points.keySet(),
                    notCommitted.toString());
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> commitPoints(Collection<PartitionPlan> of) {
        Map<TopicPartition, OffsetAndMetadata> points = new HashMap<>();
        for (PartitionPlan plan : of) {
            OffsetAndMetadata point = plan.commitPoint();
            if (point != null) {
                points.put(plan.partition, point);
            }
        }
        return points;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            settle(Set.copyOf(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(plans::remove);
            ready.removeIf(handed -> partitions.contains(handed.plan().partition));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                plans.put(partition, new PartitionPlan(partition, offset));
                if (offset != null) {
                    consumer.seek(partition, offset.offset());
                }
            }
        }
    }
}
