package io.github.segmentld.jms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.jms.JmsChunks.Body;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.jms.JmsPlans.Plan;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of a queue's connection when chunks were planned and not settled (a crash, a lost connection, a chunk
 * that failed): one session alone receives the messages the broker delivers again, so that they cannot be spread over
 * several sessions, and each chunk is processed again as it was planned, once all its messages are back, under the
 * same payload IDs (what of it was settled is skipped by the ledger). A message of a settled chunk is acknowledged
 * without being processed; new messages received meanwhile make new chunks, up to {@link #FRESH_CHUNKS_PER_SESSION}
 * chunks' worth per session. The messages of a chunk that do not all come back within {@code regroupMillis} (another
 * consumer took some, or the broker dropped them) are processed as a new chunk. Everything is acknowledged together at
 * the end.
 */
final class JmsRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(JmsRecovery.class);
    private static final long RECEIVE_MILLIS = 1000;
    /**
     * How many chunks' worth of new messages, per session of the queue, the recovery takes into its one transaction
     * while it awaits the messages delivered again: the broker gives back what the sessions had prefetched too, in an
     * order of its own, so that those of a chunk in flight may come after thousands of new ones.
     */
    private static final int FRESH_CHUNKS_PER_SESSION = 20;

    /** The messages of a planned chunk delivered again, by their position in it, until all are back. */
    private static final class Gathering {
        private final Plan plan;
        private final Map<String, Integer> positions = new HashMap<>();
        private final Body[] back;
        private int count;

        Gathering(Plan plan) {
            this.plan = plan;
            this.back = new Body[plan.messageIds().size()];
            for (int i = 0; i < back.length; i++) {
                positions.put(plan.messageIds().get(i), i);
            }
        }

        /** Adds a message of the chunk; true once all are back. */
        boolean add(Body body) {
            int position = positions.get(body.messageId());
            if (back[position] == null) {
                back[position] = body;
                count++;
            }
            return count == back.length;
        }

        List<Body> back() {
            List<Body> bodies = new ArrayList<>(count);
            for (Body body : back) {
                if (body != null) {
                    bodies.add(body);
                }
            }
            return bodies;
        }
    }

    private final JmsQueueSource source;
    private final Connection connection;

    JmsRecovery(JmsQueueSource source, Connection connection) {
        this.source = source;
        this.connection = connection;
    }

    /** Returns once the chunks not settled are settled and committed; throws, committing nothing, when it cannot. */
    void run() throws Exception {
        Map<String, Gathering> open = new LinkedHashMap<>();
        source.unsettledPlans().forEach(plan -> open.put(plan.chunkId(), new Gathering(plan)));
        if (open.isEmpty()) {
            return;
        }
        String queue = source.queue();
        JmsQueueSource.Settings settings = source.settings();
        LOG.info("JMS: {} chunks of queue {} were in flight when it was last received: their messages are grouped as"
                + " they were", open.size(), queue);
        List<String> settled = new ArrayList<>();
        JmsConnections connections = source.connections();
        Message last = null;
        try (Session session = connections.session(connection)) {
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            long deadline = System.currentTimeMillis() + settings.regroupMillis();
            int freshLimit = FRESH_CHUNKS_PER_SESSION * settings.concurrency() * settings.chunkSize();
            int freshTaken = 0;
            List<Body> fresh = new ArrayList<>();
            while (!open.isEmpty() && source.running() && System.currentTimeMillis() < deadline) {
                long wait = Math.max(1, Math.min(RECEIVE_MILLIS, deadline - System.currentTimeMillis()));
                if (freshTaken >= freshLimit) {
                    // the rest is awaited without taking more new messages into this one transaction
                    JmsQueueSource.pause(wait);
                    continue;
                }
                Message message = consumer.receive(wait);
                if (message == null) {
                    continue;
                }
                last = message;
                String id = source.idOf(message);
                Plan plan = source.planOf(id);
                Gathering gathering = plan == null ? null : open.get(plan.chunkId());
                if (plan == null) {
                    fresh.add(source.bodyOf(message, id));
                    freshTaken++;
                    if (fresh.size() == settings.chunkSize()) {
                        settled.add(settleNew(fresh));
                        fresh = new ArrayList<>();
                    }
                } else if (plan.settled()) {
                    // acknowledged with the commit, not processed again; the plan is forgotten once all are back
                    if (source.deliveredAgain(plan)) {
                        settled.add(plan.chunkId());
                    }
                } else if (gathering != null && gathering.add(source.bodyOf(message, id))) {
                    open.remove(plan.chunkId());
                    source.settle(new Cut(queue, plan.chunkId(), plan.plannedAt(), gathering.back(), true));
                    settled.add(plan.chunkId());
                }
            }
            if (!source.running()) {
                return; // closing the session gives everything back: received again at the next start
            }
            for (Gathering incomplete : open.values()) {
                settled.add(incomplete.plan.chunkId());
                String regrouped = settleIncomplete(incomplete);
                if (regrouped != null) {
                    settled.add(regrouped);
                }
            }
            if (!fresh.isEmpty()) {
                settled.add(settleNew(fresh));
            }
            if (last != null) {
                connections.acknowledge(session, last);
            }
        }
        if (connections.confirmsAcknowledgements()) {
            source.committed(settled);
        }
        // else the plans stay, settled, until the ledger's retention: a client acknowledgement may be lost
    }

    private String settleNew(List<Body> messages) throws Exception {
        Cut cut = Cut.of(source.queue(), messages, System.currentTimeMillis());
        source.settle(cut);
        return cut.chunkId();
    }

    /** The messages of a chunk that did not all come back, as a chunk of their own (returned; null for none). */
    private String settleIncomplete(Gathering incomplete) throws Exception {
        Plan plan = incomplete.plan;
        List<Body> back = incomplete.back();
        LOG.warn("JMS: {} of the {} messages of chunk {} of queue {} came back within {} s; they are processed as a new"
                + " chunk (events of them LaunchDarkly accepted before are sent again)", back.size(),
                plan.messageIds().size(), plan.chunkId(), source.queue(), source.settings().regroupMillis() / 1000.0);
        if (back.isEmpty()) {
            return null;
        }
        Cut cut = source.replan(plan, back);
        source.settle(cut);
        return cut.chunkId();
    }
}
