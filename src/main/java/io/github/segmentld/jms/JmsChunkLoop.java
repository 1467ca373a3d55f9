package io.github.segmentld.jms;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.jms.JmsChunks.Body;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.jms.JmsPlans.Planned;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.ObjectMessage;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue's consumer and its loop, which never waits for its own chunks: messages received are grouped into chunks
 * of at most {@code chunkSize} (a chunk is cut when full, or {@code chunkWaitMillis} after its first message), each
 * chunk planned ({@link JmsPlans}: its messages recorded in order, before it is processed) and handed to the pipeline
 * while the next messages are received, at most {@code concurrency} chunks in flight. A message is acknowledged alone
 * (individual acknowledgement: chunks settle in any order) once its chunk is settled; a transaction or JMS's client
 * acknowledgement would acknowledge every message the session received, those of the chunks still in flight too.
 * <p>
 * Each message received is looked up in the plans first: one of a chunk settled already (its acknowledgement was lost
 * in a crash) is acknowledged without being processed again; one of a chunk planned and not settled (delivered again
 * after a crash or a lost connection) is held until the chunk's other messages are back, and the chunk is processed
 * again as it was planned, under the same payload IDs, its settled parts skipped by the ledger. Messages of such a chunk
 * that do not all come back within {@link Timing#regroupMillis} (another consumer took them, or the broker dropped
 * them) are processed as a new chunk.
 * <p>
 * A chunk that fails (its storage failing) or a connection lost closes the session once the chunks in flight are
 * settled (a bounded wait): the broker delivers what is not acknowledged again, to the session opened after
 * {@code retryDelayMillis}.
 */
public final class JmsChunkLoop implements Runnable {

    /** Where chunks are processed: {@code settled} is called once, from any thread, with the failure if there was one. */
    public interface Pipeline {
        void process(Cut cut, java.util.function.Consumer<Throwable> settled);
    }

    /**
     * The timing of a loop.
     *
     * @param chunkWaitMillis  how long a chunk that is not full waits for more messages after its first one
     * @param retryDelayMillis the wait before a session is opened again after a failure
     * @param settleWaitMillis how long a session closing waits for the chunks in flight to settle
     * @param regroupMillis    how long the messages of a chunk delivered again are held for the others to come back
     */
    public record Timing(long chunkWaitMillis, long retryDelayMillis, long settleWaitMillis, long regroupMillis) {
    }

    private record Received(Message message, Body body) {
    }

    private record Chunk(Cut cut, List<Message> messages, long session) {
    }

    private record Settlement(Chunk chunk, Throwable failure) {
    }

    /** The messages of a planned chunk delivered again, by their position in it, until all are back. */
    private static final class Gathering {
        private final Planned plan;
        private final Received[] byPosition;
        private final List<Message> repeats = new ArrayList<>();
        private final long since;
        private int count;

        Gathering(Planned plan, long since) {
            this.plan = plan;
            this.byPosition = new Received[plan.messages()];
            this.since = since;
        }

        /** Adds a message; a second delivery of one is acknowledged with the chunk. */
        void add(Received message, int position) {
            if (position < 1 || position > byPosition.length || byPosition[position - 1] != null) {
                repeats.add(message.message());
            } else {
                byPosition[position - 1] = message;
                count++;
            }
        }

        boolean complete() {
            return count == byPosition.length;
        }

        List<Received> received() {
            List<Received> received = new ArrayList<>(count);
            for (Received message : byPosition) {
                if (message != null) {
                    received.add(message);
                }
            }
            return received;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(JmsChunkLoop.class);
    /** How long a receive waits with nothing in flight: also how long a stop may wait for it. */
    private static final long RECEIVE_IDLE_MILLIS = 1000;
    /** While chunks are in flight, receives are short, so that what settles is acknowledged soon. */
    private static final long RECEIVE_WHILE_SETTLING_MILLIS = 20;
    /** While chunks in flight are at the bound, the loop waits this long for one to settle between turns. */
    private static final long FULL_WAIT_MILLIS = 200;

    private final JmsConnections connections;
    private final String queue;
    private final JmsPlans plans;
    private final int chunkSize;
    private final int concurrency;
    private final int maxMessageBytes;
    private final Timing timing;
    private final Pipeline pipeline;
    private final BlockingQueue<Settlement> settlements = new LinkedBlockingQueue<>();
    private final Deque<Chunk> ready = new ArrayDeque<>();
    private final Map<String, Gathering> gatherings = new LinkedHashMap<>();
    private List<Received> fresh = new ArrayList<>();
    private long freshSince;
    private Connection connection;
    private Session session;
    private MessageConsumer consumer;
    /** Numbers the sessions: what settles after its session was closed is not acknowledged through the next one. */
    private long sessionNumber;
    private int inFlight;
    private boolean failed;
    private boolean warnedWithoutId;
    private volatile boolean connectionLost;
    private volatile boolean running = true;

    public JmsChunkLoop(JmsConnections connections, String queue, JmsPlans plans, int chunkSize, int concurrency,
                        int maxMessageBytes, Timing timing, Pipeline pipeline) {
        this.connections = connections;
        this.queue = queue;
        this.plans = plans;
        this.chunkSize = chunkSize;
        this.concurrency = concurrency;
        this.maxMessageBytes = maxMessageBytes;
        this.timing = timing;
        this.pipeline = pipeline;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    if (consumer == null) {
                        if (inFlight > 0) {
                            // the chunks of the last session first: their messages come back, to be found settled
                            drain(FULL_WAIT_MILLIS);
                            continue;
                        }
                        open();
                    }
                    step();
                } catch (JMSException | RuntimeException failure) {
                    if (running) {
                        LOG.warn("JMS: queue {} at {}: {}; what is not acknowledged is received again in {} ms", queue,
                                connections.shownUrl(), describe(failure), timing.retryDelayMillis());
                    }
                    close();
                    pause(timing.retryDelayMillis());
                }
            }
        } finally {
            close();
        }
    }

    /** Stops the loop (from any thread): chunks in flight are waited for a bounded time, what settled acknowledged. */
    public void stop() {
        running = false;
    }

    private void open() throws JMSException {
        connectionLost = false;
        connection = connections.open();
        connection.setExceptionListener(lost -> connectionLost = true);
        session = connection.createSession(false, JmsConnections.INDIVIDUAL_ACKNOWLEDGE);
        consumer = session.createConsumer(session.createQueue(queue));
        connection.start();
        LOG.info("JMS: receiving queue {} from {}", queue, connections.shownUrl());
    }

    /** One turn: what settled is acknowledged, chunks are handed out up to the bound, and messages received. */
    private void step() throws JMSException {
        drain(0);
        if (failed) {
            if (inFlight == 0) {
                throw new JMSException("a chunk could not be settled");
            }
            drain(FULL_WAIT_MILLIS);
            return;
        }
        if (connectionLost) {
            throw new JMSException("the connection to the broker was lost");
        }
        regroupExpired();
        cutFresh(false);
        handOut();
        if (inFlight >= concurrency || !ready.isEmpty()) {
            drain(FULL_WAIT_MILLIS);
            return;
        }
        long now = System.currentTimeMillis();
        long wait = !fresh.isEmpty() ? Math.max(1, freshSince + timing.chunkWaitMillis() - now)
                : inFlight > 0 || !gatherings.isEmpty() ? RECEIVE_WHILE_SETTLING_MILLIS : RECEIVE_IDLE_MILLIS;
        Message first = consumer.receive(wait);
        if (first == null) {
            return;
        }
        List<Message> batch = new ArrayList<>();
        batch.add(first);
        for (Message next = null; batch.size() < chunkSize && (next = consumer.receiveNoWait()) != null; ) {
            batch.add(next);
        }
        sort(batch);
        handOut();
    }

    /**
     * Sorts messages received: those of settled chunks are acknowledged, those of planned chunks gathered, the others
     * grouped into new chunks.
     */
    private void sort(List<Message> batch) throws JMSException {
        List<Received> received = new ArrayList<>(batch.size());
        for (Message message : batch) {
            received.add(new Received(message, bodyOf(message)));
        }
        Map<String, Planned> planned = plans.lookUp(queue, received.stream().map(r -> r.body().messageId()).toList());
        for (Received message : received) {
            Planned plan = planned.get(message.body().messageId());
            if (plan == null) {
                if (fresh.isEmpty()) {
                    freshSince = System.currentTimeMillis();
                }
                fresh.add(message);
                cutFresh(false);
            } else if (plan.settled()) {
                message.message().acknowledge();
            } else {
                Gathering gathering = gatherings.computeIfAbsent(plan.chunkId(),
                        id -> new Gathering(plan, System.currentTimeMillis()));
                gathering.add(message, plan.position());
                if (gathering.complete()) {
                    gatherings.remove(plan.chunkId());
                    List<Message> messages = new ArrayList<>(messagesOf(gathering.received()));
                    messages.addAll(gathering.repeats);
                    ready.add(new Chunk(new Cut(queue, plan.chunkId(), plan.plannedAt(),
                            bodiesOf(gathering.received()), true), messages, sessionNumber));
                }
            }
        }
    }

    /** Cuts the new messages into a chunk when it is full, or has waited long enough, or when told to. */
    private void cutFresh(boolean now) {
        if (!fresh.isEmpty() && (now || fresh.size() >= chunkSize
                || System.currentTimeMillis() - freshSince >= timing.chunkWaitMillis())) {
            ready.add(newChunk(fresh));
            fresh = new ArrayList<>();
        }
    }

    /** A new chunk of messages, identified by their IDs in order: the same messages in the same order, the same ID. */
    private Chunk newChunk(List<Received> messages) {
        StringBuilder ids = new StringBuilder(queue);
        messages.forEach(message -> ids.append('\n').append(message.body().messageId()));
        String chunkId = UUID.nameUUIDFromBytes(ids.toString().getBytes(StandardCharsets.UTF_8)).toString();
        return new Chunk(new Cut(queue, chunkId, System.currentTimeMillis(), bodiesOf(messages), false),
                messagesOf(messages), sessionNumber);
    }

    /** The chunks delivered again whose other messages did not come back in time are processed as new ones. */
    private void regroupExpired() {
        long now = System.currentTimeMillis();
        for (Iterator<Gathering> open = gatherings.values().iterator(); open.hasNext(); ) {
            Gathering gathering = open.next();
            if (now - gathering.since >= timing.regroupMillis()) {
                open.remove();
                List<Received> back = gathering.received();
                LOG.warn("JMS: {} of the {} messages of chunk {} of queue {} came back within {} s of a redelivery; they"
                        + " are processed as a new chunk (events of them LaunchDarkly accepted before are sent again)",
                        back.size(), gathering.plan.messages(), gathering.plan.chunkId(), queue,
                        timing.regroupMillis() / 1000.0);
                for (int from = 0; from < back.size(); from += chunkSize) {
                    ready.add(newChunk(back.subList(from, Math.min(back.size(), from + chunkSize))));
                }
                gathering.repeats.forEach(JmsChunkLoop::acknowledgeQuietly);
            }
        }
    }

    private void handOut() {
        while (!ready.isEmpty() && inFlight < concurrency) {
            Chunk chunk = ready.poll();
            inFlight++;
            pipeline.process(chunk.cut(), failure -> settlements.add(new Settlement(chunk, failure)));
        }
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
            Chunk chunk = settlement.chunk();
            inFlight--;
            if (chunk.session() != sessionNumber) {
                continue; // its session is closed: its messages are delivered again, and found settled or not
            }
            if (settlement.failure() != null) {
                if (!failed) {
                    failed = true;
                    ready.clear();
                    LOG.error("JMS: chunk {} of queue {} could not be settled ({}); its messages are received again",
                            chunk.cut().chunkId(), queue, describe(settlement.failure()));
                }
                continue;
            }
            try {
                plans.settledLater(chunk.cut().chunkId());
            } catch (RuntimeException notRecorded) {
                // the chunk is processed again if its messages come back: its settled parts are skipped
                LOG.debug("JMS: chunk {} not marked settled: {}", chunk.cut().chunkId(), notRecorded.toString());
            }
            chunk.messages().forEach(JmsChunkLoop::acknowledgeQuietly);
        }
    }

    /**
     * Waits a bounded time for the chunks in flight (acknowledging what settles) and closes the connection: the broker
     * delivers every message not acknowledged again. Chunks that settle later are not acknowledged; the next session
     * is opened once they have settled, so that a chunk is never processed twice at once.
     */
    private void close() {
        long deadline = System.currentTimeMillis() + timing.settleWaitMillis();
        while (inFlight > 0 && !failed && System.currentTimeMillis() < deadline && !connectionLost) {
            drain(Math.max(1, Math.min(FULL_WAIT_MILLIS, deadline - System.currentTimeMillis())));
        }
        if (inFlight > 0 && !failed) {
            LOG.info("JMS: {} chunks of queue {} still in flight are received again", inFlight, queue);
        }
        ready.clear();
        gatherings.clear();
        fresh = new ArrayList<>();
        failed = false;
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException | RuntimeException e) {
                LOG.debug("JMS: closing the connection: {}", e.toString());
            }
        }
        connection = null;
        session = null;
        consumer = null;
        sessionNumber++;
    }

    /** The message's ID and body; a message without an ID gets one of its own, never found again. */
    private Body bodyOf(Message message) throws JMSException {
        String id = message.getJMSMessageID();
        if (id == null) {
            id = "none:" + UUID.randomUUID();
            if (!warnedWithoutId) {
                warnedWithoutId = true;
                LOG.warn("JMS: queue {} holds messages without a message ID (the sender disabled them): such a message"
                        + " delivered again is processed again", queue);
            }
        }
        if (message instanceof TextMessage text) {
            return new Body(id, text.getText(), null);
        }
        if (message instanceof BytesMessage bytes) {
            long length = bytes.getBodyLength();
            if (length > maxMessageBytes) {
                return new Body(id, null, "the message is larger than jms.max-message-bytes (" + maxMessageBytes + ")");
            }
            byte[] content = new byte[(int) length];
            bytes.readBytes(content);
            return new Body(id, content, null);
        }
        return new Body(id, null, "a " + typeOf(message) + ": the source reads text and bytes messages");
    }

    private static String typeOf(Message message) {
        return message instanceof MapMessage ? "MapMessage" : message instanceof ObjectMessage ? "ObjectMessage"
                : message instanceof StreamMessage ? "StreamMessage" : "Message without a body";
    }

    private static List<Body> bodiesOf(List<Received> messages) {
        return messages.stream().map(Received::body).toList();
    }

    private static List<Message> messagesOf(List<Received> messages) {
        return messages.stream().map(Received::message).toList();
    }

    /** A lost acknowledgement costs nothing: the message comes back, and its chunk is found settled. */
    private static void acknowledgeQuietly(Message message) {
        try {
            message.acknowledge();
        } catch (JMSException | RuntimeException e) {
            LOG.debug("JMS: an acknowledgement failed: {}", e.toString());
        }
    }

    private static String describe(Throwable failure) {
        return failure.getMessage() == null ? failure.toString() : failure.getMessage();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
