package io.github.segmentld.jms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import io.github.segmentld.LocalArtemis;
import io.github.segmentld.jms.JmsChunks.Cut;
import io.github.segmentld.store.StateDatabase;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue's loop against an in-process Artemis broker, with a pipeline the test settles by hand: messages the broker
 * delivers again are grouped into the chunks they were planned in, whatever the loop's chunk size now; those of a
 * settled chunk are acknowledged without being processed; a chunk that fails has its messages delivered again, in the
 * same chunk; and messages of a chunk that do not all come back are processed as a new chunk.
 */
class JmsChunkLoopTest {

    private static final String QUEUE = "loop-test";

    @TempDir
    Path dir;

    private LocalArtemis broker;
    private StateDatabase state;
    private JmsPlans plans;
    /** The cuts handed to the pipeline, in order, and how to settle each (by chunk ID). */
    private final List<Cut> handed = new CopyOnWriteArrayList<>();
    private final Map<String, Consumer<Throwable>> settle = new ConcurrentHashMap<>();
    private JmsChunkLoop loop;
    private Thread thread;

    @BeforeEach
    void start() {
        broker = new LocalArtemis(dir.resolve("broker"));
        state = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC());
        state.start();
        plans = new JmsPlans(state, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        stopLoop();
        state.stop();
        broker.close();
    }

    /** Runs a loop whose pipeline plans each chunk as the source does, then waits for the test to settle it. */
    private void startLoop(int chunkSize, long regroupMillis) {
        JmsConnections connections = new JmsConnections("artemis", broker.coreUrl(), "", "");
        loop = new JmsChunkLoop(connections, QUEUE, plans, chunkSize, 3, 1 << 20,
                new JmsChunkLoop.Timing(100, 100, 200, regroupMillis), (cut, settled) -> {
                    if (!cut.planned()) {
                        plans.plan(cut.queue(), cut.chunkId(), cut.messageIds(), cut.plannedAt());
                    }
                    settle.put(cut.chunkId(), settled);
                    handed.add(cut);
                });
        thread = new Thread(loop, "jms-loop-test");
        thread.start();
    }

    private void stopLoop() throws InterruptedException {
        if (loop != null) {
            loop.stop();
            thread.join(10_000);
            loop = null;
        }
    }

    private List<String> send(int from, int to) {
        return broker.sendTexts(QUEUE, IntStream.range(from, to).mapToObj(i -> "{\"type\":\"track\",\"event\":\"E\","
                + "\"userId\":\"u-" + i + "\"}").toList());
    }

    private void markSettled(String chunkId) {
        plans.settledLater(chunkId);
        state.write(c -> null); // committed after the mark, which is then on disk too
    }

    @Test
    void messagesDeliveredAgainAreGroupedAsPlannedAndThoseOfSettledChunksAcknowledged() throws Exception {
        List<String> ids = send(0, 10);
        startLoop(4, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 3);
        Cut first = handed.get(0);
        Cut second = handed.get(1);
        Cut third = handed.get(2);
        assertThat(List.of(first.messageIds(), second.messageIds(), third.messageIds()))
                .containsExactly(ids.subList(0, 4), ids.subList(4, 8), ids.subList(8, 10));
        settle.get(first.chunkId()).accept(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 6);
        // the third was settled, its acknowledgements lost in a crash; the second was not settled
        markSettled(third.chunkId());
        stopLoop();
        handed.clear();
        List<String> later = send(10, 13);

        startLoop(10, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 2);
        Cut again = handed.stream().filter(Cut::planned).findFirst().orElseThrow();
        assertThat(again.chunkId()).isEqualTo(second.chunkId());
        assertThat(again.messageIds()).isEqualTo(second.messageIds());
        assertThat(again.plannedAt()).isEqualTo(second.plannedAt());
        Cut fresh = handed.stream().filter(cut -> !cut.planned()).findFirst().orElseThrow();
        assertThat(fresh.messageIds()).isEqualTo(later);
        handed.forEach(cut -> settle.get(cut.chunkId()).accept(null));
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
        assertThat(handed).hasSize(2);
    }

    @Test
    void aChunkThatFailsIsReceivedAgainAsTheSameChunk() {
        List<String> ids = send(0, 3);
        startLoop(10, 60_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 1);
        Cut failed = handed.get(0);
        settle.get(failed.chunkId()).accept(new IllegalStateException("the disk is full"));

        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 2);
        Cut again = handed.get(1);
        assertThat(again.planned()).isTrue();
        assertThat(again.chunkId()).isEqualTo(failed.chunkId());
        assertThat(again.messageIds()).isEqualTo(ids);
        settle.get(again.chunkId()).accept(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
    }

    @Test
    void messagesOfAChunkThatDoNotAllComeBackAreProcessedAsANewChunk() throws Exception {
        List<String> ids = send(0, 4);
        startLoop(10, 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 1);
        Cut planned = handed.get(0);
        stopLoop();
        handed.clear();
        // another consumer takes the last message of the chunk
        try (Connection connection = new ActiveMQConnectionFactory(broker.coreUrl()).createConnection();
             Session session = connection.createSession(false, JmsConnections.INDIVIDUAL_ACKNOWLEDGE)) {
            connection.start();
            var consumer = session.createConsumer(session.createQueue(QUEUE));
            for (int received = 0; received < 4; received++) {
                var message = consumer.receive(5000);
                if (message.getJMSMessageID().equals(ids.get(3))) {
                    message.acknowledge();
                }
            }
        }
        assertThat(broker.messagesIn(QUEUE)).isEqualTo(3);

        startLoop(10, 300);
        await().atMost(Duration.ofSeconds(10)).until(() -> handed.size() == 1);
        Cut regrouped = handed.get(0);
        assertThat(regrouped.planned()).isFalse();
        assertThat(regrouped.chunkId()).isNotEqualTo(planned.chunkId());
        assertThat(regrouped.messageIds()).isEqualTo(ids.subList(0, 3));
        settle.get(regrouped.chunkId()).accept(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.messagesIn(QUEUE) == 0);
    }
}
