package io.github.segmentld.jms;

import java.util.ArrayList;
import java.util.List;

import io.github.segmentld.jms.JmsChunks.Body;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.jms.JmsPlans.Plan;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

/**
 * One session of a queue: it receives a chunk (up to {@code chunkSize} messages, or what came within
 * {@code chunkWaitMillis} of the first), has it processed and settled, and commits (or, without transactions,
 * acknowledges), which acknowledges its messages; then the next. A message of a chunk settled before is acknowledged
 * with the others without being processed again. A session never acknowledges a chunk that is not settled: on anything
 * wrong it closes, which gives its messages back to the broker, and tells its {@link JmsQueueSource}. A chunk's plan is
 * forgotten once the broker has its acknowledgement: at once after a commit; after a client acknowledgement, once the
 * session's next one went through.
 */
final class JmsSessionLoop implements Runnable {

    /** How long a receive waits for a chunk's first message: also how long a stop may wait for it. */
    private static final long RECEIVE_MILLIS = 1000;

    private final JmsQueueSource source;
    private final Connection connection;

    JmsSessionLoop(JmsQueueSource source, Connection connection) {
        this.source = source;
        this.connection = connection;
    }

    @Override
    public void run() {
        JmsConnections connections = source.connections();
        // what a client acknowledgement acknowledged, forgotten once the next one went through
        List<String> unconfirmed = List.of();
        try (Session session = connections.session(connection)) {
            MessageConsumer consumer = session.createConsumer(session.createQueue(source.queue()));
            while (source.sessionsActive()) {
                List<Message> received = receiveChunk(consumer);
                List<String> settled = received.isEmpty() ? null : settle(received);
                if (settled != null) {
                    connections.acknowledge(session, received.get(received.size() - 1));
                    if (connections.confirmsAcknowledgements()) {
                        source.committed(settled);
                    } else {
                        source.committed(unconfirmed);
                        unconfirmed = settled;
                    }
                }
            }
        } catch (JMSException | RuntimeException failure) {
            if (source.sessionsActive()) {
                source.troubled(JmsQueueSource.describe(failure));
            }
        }
    }

    /**
     * Settles the chunk of the messages received; returns the chunks to forget once committed, or null when it must not
     * be committed (the session then stops, and its closing gives the messages back).
     */
    private List<String> settle(List<Message> received) throws JMSException {
        List<Body> fresh = new ArrayList<>(received.size());
        List<String> forget = new ArrayList<>(1);
        for (Message message : received) {
            String id = source.idOf(message);
            Plan plan = source.planOf(id);
            if (plan == null) {
                fresh.add(source.bodyOf(message, id));
            } else if (!plan.settled()) {
                source.troubled("message " + id + " of chunk " + plan.chunkId() + ", not settled, was delivered"
                        + " again");
                return null;
            } else if (source.deliveredAgain(plan)) {
                // acknowledged with the others, not processed again; the last of its chunk's, whose plan goes
                forget.add(plan.chunkId());
            }
        }
        if (!source.sessionsActive()) {
            return null;
        }
        if (fresh.isEmpty()) {
            return forget;
        }
        Cut cut = Cut.of(source.queue(), fresh, System.currentTimeMillis());
        try {
            source.settle(cut);
        } catch (Exception failure) {
            source.failed(cut, failure);
            return null;
        }
        forget.add(cut.chunkId());
        return forget;
    }

    /** Up to chunkSize messages: the first within a second, the others within chunkWaitMillis of it; empty if none. */
    private List<Message> receiveChunk(MessageConsumer consumer) throws JMSException {
        Message first = consumer.receive(RECEIVE_MILLIS);
        if (first == null) {
            return List.of();
        }
        JmsQueueSource.Settings settings = source.settings();
        List<Message> received = new ArrayList<>();
        received.add(first);
        long deadline = System.currentTimeMillis() + settings.chunkWaitMillis();
        while (received.size() < settings.chunkSize() && source.sessionsActive()) {
            long left = deadline - System.currentTimeMillis();
            Message next = left > 0 ? consumer.receive(left) : null;
            if (next == null) {
                break;
            }
            received.add(next);
        }
        return received;
    }
}
