package io.github.segmentld.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import io.github.segmentld.LocalArtemis;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.store.StateDatabase;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue's sessions against an in-process Artemis broker, with a pipeline the test settles by hand: messages the
 * broker delivers again are grouped into the chunks they were planned in, whatever the chunk size now; those of a
 * settled chunk are acknowledged without being processed; a chunk that fails has its messages delivered again, in the
 * same chunk; and messages of a chunk that do not all come back are processed as a new chunk.
 */
class JmsQueueSourceTest {

    private static final String QUEUE = "source-test";

    @TempDir
    Path dir;

    private LocalArtemis broker;
    private StateDatabase state;
    private JmsPlans plans;
    private final ExecutorService sessionThreads = Executors.newCachedThreadPool();
    /** The cuts handed to the pipeline, in order, and the outcome each waits for (completed by the test). */
    private final List<Cut> handed = new ArrayList<>();
    private final List<CompletableFuture<Void>> outcomes = new ArrayList<>();
    private volatile boolean settleAtOnce;
    private JmsQueueSource source;
    private Thread thread;

    @BeforeEach
    void start() {
        broker = new LocalArtemis(dir.resolve("broker"));
        state = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC());
        state.start();
        plans = new JmsPlans(state);
    }

    @AfterEach
    void stop() throws Exception {
        stopSource();
        sessionThreads.shutdownNow();
        state.stop();
        broker.close();
    }

    /**
     * Receives the queue with {@code sessions} sessions, each taking a message at a time from the broker (no prefetch),
     * so that they share the messages.
     */
    private void startSource(int chunkSize, int sessions, long regroupMillis) {
        JmsConnections connections = new JmsConnections("artemis", broker.coreUrl() + "?consumerWindowSize=0", "", "",
                "transaction");
        source = new JmsQueueSource(connections, QUEUE, plans, new JmsQueueSource.Settings(chunkSize, sessions, 1 << 20,
                100, 100, regroupMillis), this::process, sessionThreads);
        thread = new Thread(source, "jms-source-test");
        thread.start();
    }

    private void process(Cut cut) throws Exception {
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        synchronized (this) {
            handed.add(cut);
            outcomes.add(outcome);
        }
        if (settleAtOnce) {
            return;
        }
        try {
            outcome.get();
        } catch (ExecutionException failed) {
            throw (Exception) failed.getCause();
        }
    }

    private synchronized List<Cut> handed() {
        return List.copyOf(handed);
    }

    private synchronized void settle(int cut, Exception failure) {
        if (failure == null) {
            outcomes.get(cut).complete(null);
        } else {
            outcomes.get(cut).completeExceptionally(failure);
        }
    }

    /**
     * Stops the source, its chunks in flight failing, as they would in a crash: nothing of them is committed. Returns
     * the chunks it had handed to the pipeline.
     */
    private List<Cut> stopSource() throws InterruptedException {
        List<Cut> before = handed();
        if (source != null) {
            source.stop();
            before = handed();
            synchronized (this) {
                outcomes.forEach(outcome -> outcome.completeExceptionally(new IllegalStateException("stopped")));
                handed.clear();
                outcomes.clear();
            }
            thread.join(10_000);
            source = null;
        }
        return before;
    }

    private List<String> send(int from, int to) {
        return broker.sendTexts(QUEUE, IntStream.range(from, to).mapToObj(i -> "{\"type\":\"track\",\"event\":\"E\","
                + "\"userId\":\"u-" + i + "\"}").toList());
    }

    @Test
    void messagesDeliveredAgainAreGroupedAsPlannedAndThoseOfSettledChunksAcknowledged() throws Exception {
        send(0, 12);
        startSource(4, 3, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed().size() == 3);
        Cut committed = handed().get(0);
        Cut settled = handed().get(1);
        settle(0, null);
        int left = 12 - committed.messages().size();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == left);
        // the second is settled and its commit lost in a crash; the others are not settled
        plans.settle(settled.chunkId(), System.currentTimeMillis());
        List<Cut> firstRun = stopSource();
        List<Cut> unsettled = firstRun.subList(2, firstRun.size());
        List<String> later = send(12, 15);

        settleAtOnce = true;
        startSource(10, 3, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
        List<Cut> again = handed();
        assertThat(again.stream().filter(Cut::planned).map(cut -> cut.chunkId() + " " + cut.messageIds() + " "
                + cut.plannedAt())).containsExactlyInAnyOrderElementsOf(unsettled.stream().map(cut -> cut.chunkId()
                + " " + cut.messageIds() + " " + cut.plannedAt()).toList());
        assertThat(again.stream().filter(cut -> !cut.planned()).flatMap(cut -> cut.messageIds().stream()))
                .containsExactlyInAnyOrderElementsOf(later);
        await().atMost(Duration.ofSeconds(10)).until(() -> plans.load(QUEUE).isEmpty());
    }

    @Test
    void aChunkThatFailsIsReceivedAgainAsTheSameChunk() {
        List<String> ids = send(0, 3);
        startSource(10, 1, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed().size() == 1);
        Cut failed = handed().get(0);
        settle(0, new IllegalStateException("the disk is full"));

        await().atMost(Duration.ofSeconds(10)).until(() -> handed().size() == 2);
        Cut again = handed().get(1);
        assertThat(again.planned()).isTrue();
        assertThat(again.chunkId()).isEqualTo(failed.chunkId());
        assertThat(again.messageIds()).containsExactlyInAnyOrderElementsOf(ids).isEqualTo(failed.messageIds());
        settle(1, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
    }

    @Test
    void messagesOfAChunkThatDoNotAllComeBackAreProcessedAsANewChunk() throws Exception {
        send(0, 4);
        startSource(10, 1, 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed().size() == 1);
        Cut planned = handed().get(0);
        stopSource();
        String taken = planned.messageIds().get(3);
        // another consumer takes the chunk's last message
        try (Connection connection = new ActiveMQConnectionFactory(broker.coreUrl()).createConnection();
             Session session = connection.createSession(false, ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE)) {
            connection.start();
            var consumer = session.createConsumer(session.createQueue(QUEUE));
            for (int received = 0; received < 4; received++) {
                Message message = consumer.receive(5000);
                if (message.getJMSMessageID().equals(taken)) {
                    message.acknowledge();
                }
            }
        }
        assertThat(broker.messagesIn(QUEUE)).isEqualTo(3);

        settleAtOnce = true;
        startSource(10, 1, 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
        assertThat(handed()).singleElement().satisfies(regrouped -> {
            assertThat(regrouped.chunkId()).isNotEqualTo(planned.chunkId());
            assertThat(regrouped.messageIds()).isEqualTo(planned.messageIds().subList(0, 3));
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> plans.load(QUEUE).isEmpty());
    }
}
