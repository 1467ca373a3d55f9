package io.github.segmentld.jms;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.jms.JmsChunks.Body;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.jms.JmsPlans.Plan;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One queue of the JMS source: a connection, and on it {@code concurrency} sessions ({@link JmsSessionLoop}), each
 * receiving a chunk of at most {@code chunkSize} messages, having it processed, and acknowledging it (a commit, or a
 * client acknowledgement) once the chunk is settled, so that at most {@code concurrency} chunks of the queue are in
 * flight and a message is acknowledged only once every event of it is settled.
 * <p>
 * A chunk's messages are recorded ({@link JmsPlans}) before it is processed. Messages the broker delivers again (after
 * a crash, a lost connection, or a chunk that could not be settled) may reach any session, in any grouping: so each
 * connection begins with a {@link JmsRecovery}, one session alone, which groups the messages of the chunks not settled
 * as they were planned, before the sessions start. A message of a chunk settled before (its acknowledgement lost) is
 * acknowledged without being processed again. Whatever goes wrong (a chunk that cannot be settled, the connection lost,
 * a message of an unsettled chunk reaching a session) closes the connection once the sessions' chunks in flight are
 * done; what is not acknowledged is delivered again, to the connection opened after {@code retryDelayMillis}.
 */
public final class JmsQueueSource implements Runnable {

    /** Where a chunk is processed: returns once it is settled, throws when it could not be. */
    public interface Pipeline {
        void process(Cut cut) throws Exception;
    }

    /**
     * How a queue is received.
     *
     * @param chunkWaitMillis how long a chunk that is not full waits for more messages after its first one
     * @param regroupMillis   how long the messages of chunks delivered again are awaited before the sessions start
     */
    public record Settings(int chunkSize, int concurrency, int maxMessageBytes, long chunkWaitMillis,
                           long retryDelayMillis, long regroupMillis) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(JmsQueueSource.class);
    /** How long a stop waits for the sessions' chunks in flight; what is not acknowledged is received again. */
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final JmsConnections connections;
    private final String queue;
    private final JmsPlans plans;
    private final Settings settings;
    private final Pipeline pipeline;
    private final ExecutorService sessionThreads;
    /** The plans not known to be committed, by message ID. */
    private final Map<String, Plan> planned = new ConcurrentHashMap<>();
    /** How many messages of each settled plan were delivered again (and acknowledged without being processed). */
    private final Map<String, Integer> settledAgain = new ConcurrentHashMap<>();
    private final BlockingQueue<String> troubles = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private volatile boolean sessionsActive;
    private volatile boolean warnedWithoutId;

    /** @param sessionThreads where the sessions run: a thread for each, none waiting */
    public JmsQueueSource(JmsConnections connections, String queue, JmsPlans plans, Settings settings,
                          Pipeline pipeline, ExecutorService sessionThreads) {
        this.connections = connections;
        this.queue = queue;
        this.plans = plans;
        this.settings = settings;
        this.pipeline = pipeline;
        this.sessionThreads = sessionThreads;
    }

    @Override
    public void run() {
        while (running) {
            Connection connection = null;
            List<Future<?>> sessions = new ArrayList<>();
            String trouble = null;
            try {
                troubles.clear();
                connection = connections.open();
                connection.setExceptionListener(lost -> troubled("the connection to the broker was lost"));
                connection.start();
                load();
                new JmsRecovery(this, connection).run();
                sessionsActive = true;
                for (int i = 0; i < settings.concurrency() && running; i++) {
                    sessions.add(sessionThreads.submit(new JmsSessionLoop(this, connection)));
                }
                LOG.info("JMS: receiving queue {} from {}", queue, connections.shownUrl());
                while (running && trouble == null) {
                    trouble = troubles.poll(1, TimeUnit.SECONDS);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                running = false;
            } catch (Exception failure) {
                trouble = describe(failure);
            } finally {
                sessionsActive = false;
                awaitSessions(sessions);
                close(connection);
            }
            if (running && trouble != null) {
                LOG.warn("JMS: queue {} at {}: {}; what is not acknowledged is received again in {} ms", queue,
                        connections.shownUrl(), trouble, settings.retryDelayMillis());
                pause(settings.retryDelayMillis());
            }
        }
    }

    /** Stops receiving (from any thread): chunks in flight are awaited a bounded time, and acknowledged if settled. */
    public void stop() {
        running = false;
        sessionsActive = false;
    }

    String queue() {
        return queue;
    }

    JmsConnections connections() {
        return connections;
    }

    Settings settings() {
        return settings;
    }

    boolean running() {
        return running;
    }

    /** Whether the sessions go on: nothing went wrong, and no stop. */
    boolean sessionsActive() {
        return sessionsActive && running;
    }

    /** Something went wrong: the sessions stop, and the connection is opened again. */
    void troubled(String reason) {
        sessionsActive = false;
        troubles.add(reason);
    }

    /** The plans of the chunks not settled, which the recovery awaits. */
    List<Plan> unsettledPlans() {
        return planned.values().stream().filter(plan -> !plan.settled()).distinct().toList();
    }

    /** The plan not known to be committed that holds the message, or null. */
    Plan planOf(String messageId) {
        return planned.get(messageId);
    }

    /** The message's ID; a message without one (its sender disabled them) gets one of its own, never found again. */
    String idOf(Message message) throws JMSException {
        String id = message.getJMSMessageID();
        if (id != null) {
            return id;
        }
        if (!warnedWithoutId) {
            warnedWithoutId = true;
            LOG.warn("JMS: queue {} holds messages without a message ID (their sender disabled them): such a message"
                    + " delivered again is processed again", queue);
        }
        return "none:" + UUID.randomUUID();
    }

    Body bodyOf(Message message, String id) throws JMSException {
        return Body.of(message, id, settings.maxMessageBytes());
    }

    /**
     * Settles a chunk: records its plan (unless it has one), processes it, and marks it settled; returns once the mark
     * is on disk, when its messages may be acknowledged.
     */
    void settle(Cut cut) throws Exception {
        if (!cut.planned()) {
            plans.plan(queue, cut.plan());
        }
        pipeline.process(cut);
        plans.settle(cut.chunkId(), System.currentTimeMillis());
    }

    /**
     * Plans the messages of a chunk that did not all come back as a chunk of their own, in place of that one's plan;
     * returns the new chunk, planned.
     */
    Cut replan(Plan incomplete, List<Body> back) {
        Cut cut = Cut.of(queue, back, System.currentTimeMillis());
        plans.replan(queue, incomplete.chunkId(), cut.plan());
        return new Cut(queue, cut.chunkId(), cut.plannedAt(), back, true);
    }

    /**
     * A chunk could not be settled: its messages, which its session's closing gives back to the broker, are taken as
     * delivered again by the other sessions until the recovery, which groups them as planned.
     */
    void failed(Cut cut, Throwable failure) {
        Plan plan = cut.plan();
        cut.messageIds().forEach(id -> planned.put(id, plan));
        if (running) {
            LOG.error("JMS: chunk {} of queue {} could not be settled ({}); its messages are received again",
                    cut.chunkId(), queue, describe(failure));
        } else {
            LOG.info("JMS: chunk {} of queue {} was cut off by the stop; its messages are received again",
                    cut.chunkId(), queue);
        }
        troubled("a chunk could not be settled");
    }

    /**
     * A message of a settled chunk was delivered again, to be acknowledged without being processed; true once all of
     * the chunk's messages were, when its plan is to be forgotten with their commit.
     */
    boolean deliveredAgain(Plan settled) {
        return settledAgain.merge(settled.chunkId(), 1, Integer::sum) == settled.messageIds().size();
    }

    /** The broker has the chunks' acknowledgement: their plans are forgotten. */
    void committed(Collection<String> chunkIds) {
        for (String chunkId : chunkIds) {
            plans.forgetLater(chunkId);
        }
        planned.values().removeIf(plan -> chunkIds.contains(plan.chunkId()));
        chunkIds.forEach(settledAgain::remove);
    }

    private void load() {
        planned.clear();
        settledAgain.clear();
        for (Plan plan : plans.load(queue)) {
            plan.messageIds().forEach(id -> planned.put(id, plan));
        }
    }

    /**
     * Waits for the sessions to finish their chunks in flight: without a bound while the queue is to be received again
     * (no chunk is processed twice at once), a bounded time once stopping.
     */
    private void awaitSessions(List<Future<?>> sessions) {
        long stopDeadline = Long.MAX_VALUE;
        for (Future<?> session : sessions) {
            while (!session.isDone()) {
                if (!running) {
                    stopDeadline = Math.min(stopDeadline, System.currentTimeMillis() + STOP_WAIT_MILLIS);
                    if (System.currentTimeMillis() >= stopDeadline) {
                        LOG.info("JMS: chunks of queue {} still in flight at the stop are received again", queue);
                        return;
                    }
                }
                try {
                    session.get(200, TimeUnit.MILLISECONDS);
                } catch (TimeoutException notYet) {
                    // checked again, with the stop
                } catch (ExecutionException unexpected) {
                    LOG.error("JMS: a session of queue {} failed", queue, unexpected.getCause());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void close(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (JMSException | RuntimeException e) {
                LOG.debug("JMS: closing the connection: {}", e.toString());
            }
        }
    }

    static String describe(Throwable failure) {
        return failure.getMessage() == null ? failure.toString() : failure.getMessage();
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
