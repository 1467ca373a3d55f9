package io.github.segmentld.jms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.jms.JmsChunks.Cut;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMS source as a Camel endpoint, {@code jms-source:<queues>}: its consumer runs a {@link JmsChunkLoop} per queue,
 * each with a connection of its own, and each chunk they group is an exchange of the route (its body a {@link Cut}),
 * planned first ({@link JmsPlans}), whose completion settles the chunk. Camel's JMS consumer (Spring's listener
 * container) is not used for this: it hands the route one message per exchange and acknowledges each as its exchange
 * completes, so that a LaunchDarkly batch of several messages, acknowledged only once settled, cannot be made with it.
 */
public final class JmsSourceComponent extends DefaultComponent {

    /** How the source reads: pipeline.chunk-size, pipeline.concurrency, jms.max-message-bytes and its timing. */
    public record Settings(int chunkSize, int concurrency, int maxMessageBytes, JmsChunkLoop.Timing timing) {
    }

    /** What a stop waits for the loops: their wait for the chunks in flight, the receive under way, the close. */
    private static final long STOP_WAIT_SECONDS = 25;
    private static final Logger LOG = LoggerFactory.getLogger(JmsSourceComponent.class);

    private final JmsConnections connections;
    private final JmsPlans plans;
    private final Settings settings;

    public JmsSourceComponent(JmsConnections connections, JmsPlans plans, Settings settings) {
        this.connections = connections;
        this.plans = plans;
        this.settings = settings;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        List<String> queues = Arrays.stream(remaining.split(",")).map(String::strip).filter(q -> !q.isEmpty())
                .distinct().toList();
        if (queues.isEmpty()) {
            throw new IllegalArgumentException("jms.queues is empty: name the queue (or queues, separated by commas)"
                    + " the JMS source receives");
        }
        return new Source(uri, queues);
    }

    private final class Source extends DefaultEndpoint {

        private final List<String> queues;

        Source(String uri, List<String> queues) {
            super(uri, JmsSourceComponent.this);
            this.queues = queues;
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("jms-source only consumes");
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            return new ChunkConsumer(this, processor, queues);
        }
    }

    private final class ChunkConsumer extends DefaultConsumer {

        private final List<String> queues;
        private final List<JmsChunkLoop> loops = new ArrayList<>();
        private ExecutorService loopThreads;
        private ExecutorService workers;

        ChunkConsumer(Endpoint endpoint, Processor processor, List<String> queues) {
            super(endpoint, processor);
            this.queues = queues;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            loopThreads = threads.newFixedThreadPool(this, "JmsSource", queues.size());
            // each loop has at most concurrency chunks in flight: a worker for each, none waits in the queue
            workers = threads.newFixedThreadPool(this, "JmsChunks", queues.size() * settings.concurrency());
            for (String queue : queues) {
                JmsChunkLoop loop = new JmsChunkLoop(connections, queue, plans, settings.chunkSize(),
                        settings.concurrency(), settings.maxMessageBytes(), settings.timing(), this::process);
                loops.add(loop);
                loopThreads.execute(loop);
            }
        }

        /** Plans the chunk and runs it through the route on a worker; the exchange's completion settles it. */
        private void process(Cut cut, java.util.function.Consumer<Throwable> settled) {
            try {
                workers.execute(() -> {
                    try {
                        if (!cut.planned()) {
                            plans.plan(cut.queue(), cut.chunkId(), cut.messageIds(), cut.plannedAt());
                        }
                    } catch (RuntimeException notPlanned) {
                        // not one message is processed without its plan
                        settled.accept(notPlanned);
                        return;
                    }
                    Exchange exchange = createExchange(false);
                    exchange.getMessage().setBody(cut);
                    getAsyncProcessor().process(exchange, doneSync -> {
                        Throwable failure = exchange.getException();
                        releaseExchange(exchange, false);
                        settled.accept(failure);
                    });
                });
            } catch (RejectedExecutionException stopping) {
                settled.accept(stopping);
            }
        }

        @Override
        protected void doStop() throws Exception {
            loops.forEach(JmsChunkLoop::stop);
            loopThreads.shutdown();
            if (!loopThreads.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("JMS: a queue's consumer did not stop in time; what it did not acknowledge is received again");
            }
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            threads.shutdownNow(loopThreads);
            threads.shutdown(workers);
            loops.clear();
            super.doStop();
        }
    }
}
