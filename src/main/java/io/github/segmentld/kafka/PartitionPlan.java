package io.github.segmentld.kafka;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

import io.github.segmentld.kafka.KafkaChunks.Cut;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The chunks of one partition from its committed offset on, as its owner cuts them: those cut from the records read
 * (in flight or settled, in offset order) and those a previous owner planned that are not read yet. What is committed
 * ({@link #commitPoint()}) is the start of the first chunk not settled, with the ends of every chunk after it as the
 * offset's metadata, so that a partition read again, by this instance or another, is cut at the same offsets.
 */
final class PartitionPlan {

    /** A chunk cut from the records read, and whether its events are settled. */
    static final class Chunk {
        final Cut cut;
        boolean settled;

        Chunk(Cut cut) {
            this.cut = cut;
        }
    }

    private static final String PLAN = "segment-launchdarkly chunks ending at ";
    /**
     * The most chunks a plan lists: the broker refuses an offset whose metadata is over 4,096 bytes
     * ({@code offset.metadata.max.bytes}), and this many ends of up to 19 digits and a comma fit with the prefix. A plan
     * grows past the chunks in flight when the first of them takes long while the next ones settle.
     */
    static final int MAX_PLANNED = 200;

    final TopicPartition partition;
    /** Cut, not committed past yet, in offset order. */
    private final Deque<Chunk> cut = new ArrayDeque<>();
    /** The ends of the planned chunks not cut yet (after {@link #next}). */
    private final Deque<Long> ahead = new ArrayDeque<>();
    /** The records read of a planned chunk that a poll stopped inside of: cut once the next polls bring the rest. */
    private final List<ConsumerRecord<byte[], byte[]>> partial = new ArrayList<>();
    /** Where the next chunk starts; -1 before the first record of a partition with nothing committed. */
    private long next;
    /** The chunks handed to the pipeline and not settled yet. */
    int inFlight;
    /** A chunk failed: no more chunks are handed out until the partition is read again from its first unsettled one. */
    boolean failed;
    /** When a partition read again after a failure is resumed (System.nanoTime). */
    long pausedUntil;
    private OffsetAndMetadata lastCommitted;

    PartitionPlan(TopicPartition partition, OffsetAndMetadata committed) {
        this.partition = partition;
        this.next = committed == null ? -1 : committed.offset();
        this.lastCommitted = committed;
        if (committed != null && committed.metadata() != null && committed.metadata().startsWith(PLAN)) {
            for (String end : committed.metadata().substring(PLAN.length()).split(",")) {
                ahead.add(Long.parseLong(end.strip()));
            }
        }
    }

    /**
     * Cuts records read (in offset order, from where the partition's position is) into chunks: at the planned ends,
     * then every {@code chunkSize} records, as long as the plan is not {@link #full()}. Returns the chunks cut; the
     * records of a planned chunk that a poll stopped inside of are kept until the next polls bring the rest of it
     * (polls smaller than the chunk included); those after a full plan are not, and are read again from {@link #next()}.
     */
    List<Chunk> cut(List<ConsumerRecord<byte[], byte[]>> polled, int chunkSize) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(partial);
        partial.clear();
        for (ConsumerRecord<byte[], byte[]> record : polled) {
            // a record before next was read before a seek took effect: it is cut already
            if (record.offset() >= next && (records.isEmpty()
                    || record.offset() > records.get(records.size() - 1).offset())) {
                records.add(record);
            }
        }
        List<Chunk> chunks = new ArrayList<>();
        if (records.isEmpty()) {
            return chunks;
        }
        long first = records.get(0).offset();
        long last = records.get(records.size() - 1).offset();
        if (next < 0) {
            next = first;
        }
        // chunks wholly before what is left of the partition (records deleted by retention) are gone
        while (!ahead.isEmpty() && ahead.peekFirst() < first) {
            next = ahead.removeFirst() + 1;
        }
        int taken = 0;
        while (taken < records.size()) {
            if (full()) {
                break; // the rest is read again (the loop seeks to next) once the first chunks have settled
            }
            long end;
            if (!ahead.isEmpty()) {
                end = ahead.peekFirst();
                if (end > last) {
                    partial.addAll(records.subList(taken, records.size()));
                    break;
                }
                ahead.removeFirst();
            } else {
                end = records.get(Math.min(records.size(), taken + chunkSize) - 1).offset();
            }
            List<ConsumerRecord<byte[], byte[]>> part = new ArrayList<>();
            while (taken < records.size() && records.get(taken).offset() <= end) {
                part.add(records.get(taken++));
            }
            Chunk chunk = new Chunk(new Cut(partition, next, end, part));
            cut.add(chunk);
            chunks.add(chunk);
            next = end + 1;
        }
        return chunks;
    }

    /**
     * Whether the plan holds as many chunks as its commit can list: a new chunk is cut only once the first ones have
     * settled (cutting at the ends a previous owner planned does not grow it).
     */
    boolean full() {
        forgetSettled();
        return ahead.isEmpty() && cut.size() >= MAX_PLANNED;
    }

    /** Where the next chunk starts: the first offset not cut. */
    long next() {
        return next;
    }

    private void forgetSettled() {
        while (!cut.isEmpty() && cut.peekFirst().settled) {
            cut.removeFirst();
        }
    }

    /** Where the first chunk not settled starts, or -1. */
    long firstUnsettled() {
        return cut.stream().filter(chunk -> !chunk.settled).mapToLong(chunk -> chunk.cut.start()).findFirst()
                .orElse(-1);
    }

    /**
     * Forgets the chunks cut from offset {@code from} on (their ends stay planned, to be cut again at the same
     * offsets) and returns where the partition is read again from.
     */
    long rewind(long from) {
        partial.clear();
        List<Long> ends = new ArrayList<>();
        for (Iterator<Chunk> chunks = cut.iterator(); chunks.hasNext(); ) {
            Chunk chunk = chunks.next();
            if (chunk.cut.start() >= from) {
                ends.add(chunk.cut.end());
                chunks.remove();
            }
        }
        if (!ends.isEmpty()) {
            ends.addAll(ahead);
            ahead.clear();
            ahead.addAll(ends);
            next = from;
        }
        return next;
    }

    /**
     * What to commit: the start of the first chunk not settled (the settled ones before it are forgotten) with the
     * ends of every planned chunk from there on; null when nothing changed since the last commit.
     */
    OffsetAndMetadata commitPoint() {
        forgetSettled();
        if (next < 0) {
            return null;
        }
        List<Long> ends = new ArrayList<>(cut.size() + ahead.size());
        cut.forEach(chunk -> ends.add(chunk.cut.end()));
        ends.addAll(ahead);
        OffsetAndMetadata point = new OffsetAndMetadata(cut.isEmpty() ? next : cut.peekFirst().cut.start(),
                planText(ends));
        return point.equals(lastCommitted) ? null : point;
    }

    /** The commit point was committed (or sent to be). */
    void committed(OffsetAndMetadata point) {
        lastCommitted = point;
    }

    private static String planText(List<Long> ends) {
        if (ends.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(PLAN);
        for (int i = 0; i < ends.size(); i++) {
            text.append(i == 0 ? "" : ",").append(ends.get(i));
        }
        return text.toString();
    }
}
