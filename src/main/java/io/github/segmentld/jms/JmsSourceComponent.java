package io.github.segmentld.jms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.segmentld.jms.JmsChunks.Cut;
import org.apache.camel.AsyncCallback;
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
 * The JMS source as a Camel endpoint, {@code jms-source:<queues>}: its consumer runs a {@link JmsQueueSource} per
 * queue, and each chunk their sessions receive is an exchange of the route (its body a {@link Cut}), whose completion
 * settles the chunk. Camel's JMS consumer (Spring's listener container) is not used for this: it hands the route one
 * message per exchange and commits each as its exchange completes, so that a LaunchDarkly batch of several messages,
 * committed only once settled, cannot be made with it.
 */
public final class JmsSourceComponent extends DefaultComponent {

    /** What a stop waits for the queues: their wait for the chunks in flight, the receive under way, the close. */
    private static final long STOP_WAIT_SECONDS = 25;
    private static final Logger LOG = LoggerFactory.getLogger(JmsSourceComponent.class);

    private final Supplier<JmsConnections> connect;
    private final JmsPlans plans;
    private final JmsQueueSource.Settings settings;
    private JmsConnections connections;

    /**
     * @param connect makes the connections from the settings, when the route's endpoint is made: a setting it refuses
     *                stops the start with its message (a component that fails as a bean would only be "not found")
     */
    public JmsSourceComponent(Supplier<JmsConnections> connect, JmsPlans plans, JmsQueueSource.Settings settings) {
        this.connect = connect;
        this.plans = plans;
        this.settings = settings;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        if (connections == null) {
            connections = connect.get();
        }
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
        private final List<JmsQueueSource> sources = new ArrayList<>();
        private ExecutorService queueThreads;
        private ExecutorService sessionThreads;

        ChunkConsumer(Endpoint endpoint, Processor processor, List<String> queues) {
            super(endpoint, processor);
            this.queues = queues;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            queueThreads = threads.newFixedThreadPool(this, "JmsSource", queues.size());
            // each queue has at most concurrency sessions, each with a chunk in flight: a thread for each
            sessionThreads = threads.newFixedThreadPool(this, "JmsSession", queues.size() * settings.concurrency());
            for (String queue : queues) {
                JmsQueueSource source = new JmsQueueSource(connections, queue, plans, settings, this::process,
                        sessionThreads);
                sources.add(source);
                queueThreads.execute(source);
            }
        }

        /** Runs a chunk through the route and returns once its exchange is complete; throws its failure. */
        private void process(Cut cut) throws Exception {
            Exchange exchange = createExchange(false);
            try {
                exchange.getMessage().setBody(cut);
                CountDownLatch done = new CountDownLatch(1);
                AsyncCallback completed = doneSync -> done.countDown();
                getAsyncProcessor().process(exchange, completed);
                done.await();
                Exception failure = exchange.getException();
                if (failure != null) {
                    throw failure;
                }
            } finally {
                releaseExchange(exchange, false);
            }
        }

        @Override
        protected void doStop() throws Exception {
            sources.forEach(JmsQueueSource::stop);
            queueThreads.shutdown();
            if (!queueThreads.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("JMS: a queue did not stop in time; what it did not commit is received again");
            }
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            threads.shutdownNow(queueThreads);
            threads.shutdown(sessionThreads);
            sources.clear();
            super.doStop();
        }
    }
}
