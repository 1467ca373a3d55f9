package io.github.segmentld.kafka;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.github.segmentld.kafka.KafkaChunks.Cut;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source as a Camel endpoint, {@code kafka-source:<topics>}: its consumer runs {@code consumers}
 * {@link KafkaChunkLoop}s, each with a Kafka consumer of its own, and each chunk they cut is an exchange of the route
 * (its body a {@link Cut}), whose completion settles the chunk. Camel's own Kafka consumer is not used for this: it
 * hands the route one poll at a time and waits for it on the consumer's thread (its batching processor), which makes
 * the consumer stop and wait for every poll's chunks before the next poll. The Kafka consumers get the settings of
 * Camel's Kafka component ({@link KafkaClients}: security and any other client setting keep working) and those of the
 * source: the group, read_committed, the earliest offset when none is committed, no automatic commit, and polls of at
 * most {@code maxPollRecords} records.
 */
public final class KafkaSourceComponent extends DefaultComponent {

    /** How the source reads: kafka.group-id, kafka.consumers, kafka.max-poll-records, pipeline.concurrency. */
    public record Settings(String groupId, int consumers, int maxPollRecords, int concurrency,
                           long retryDelayMillis) {
    }

    /**
     * How long a partition taken away (the rebalance waits for it, so it is short) or a stop waits for its chunks in
     * flight to settle.
     */
    private static final long SETTLE_WAIT_MILLIS = 10_000;
    /** What a stop waits for the loops: their wait for the chunks in flight, the poll under way, the commit, the close. */
    private static final long STOP_WAIT_SECONDS = 25;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceComponent.class);

    private final KafkaClients clients;
    private final KafkaChunks chunks;
    private final Settings settings;

    public KafkaSourceComponent(KafkaClients clients, KafkaChunks chunks, Settings settings) {
        this.clients = clients;
        this.chunks = chunks;
        this.settings = settings;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        List<String> topics = Arrays.stream(remaining.split(",")).map(String::strip).filter(t -> !t.isEmpty())
                .toList();
        return new Source(uri, topics);
    }

    private Properties consumerSettings() {
        Properties consumer = clients.consumer();
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        // what a replay of dead letters produces in a transaction is read once committed, never if aborted
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxPollRecords()));
        return consumer;
    }

    private final class Source extends DefaultEndpoint {

        private final List<String> topics;

        Source(String uri, List<String> topics) {
            super(uri, KafkaSourceComponent.this);
            this.topics = topics;
        }

        @Override
        public Producer createProducer() {
            throw new UnsupportedOperationException("kafka-source only consumes");
        }

        @Override
        public Consumer createConsumer(Processor processor) {
            return new ChunkConsumer(this, processor, topics);
        }
    }

    private final class ChunkConsumer extends DefaultConsumer {

        private final List<String> topics;
        private final List<KafkaChunkLoop> loops = new ArrayList<>();
        private ExecutorService loopThreads;
        private ExecutorService workers;

        ChunkConsumer(Endpoint endpoint, Processor processor, List<String> topics) {
            super(endpoint, processor);
            this.topics = topics;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            loopThreads = threads.newFixedThreadPool(this, "KafkaSource", settings.consumers());
            // each loop has at most concurrency chunks in flight: a worker for each, none waits in the queue
            workers = threads.newFixedThreadPool(this, "KafkaChunks", settings.consumers() * settings.concurrency());
            for (int i = 0; i < settings.consumers(); i++) {
                KafkaChunkLoop loop = new KafkaChunkLoop(new KafkaConsumer<>(consumerSettings(),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer()), topics, chunks.chunkSize(),
                        settings.concurrency(), settings.retryDelayMillis(), SETTLE_WAIT_MILLIS, this::process);
                loops.add(loop);
                loopThreads.execute(loop);
            }
        }

        /** Runs a chunk through the route on a worker; the exchange's completion settles it. */
        private void process(Cut cut, java.util.function.Consumer<Throwable> settled) {
            try {
                workers.execute(() -> {
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
            loops.forEach(KafkaChunkLoop::stop);
            loopThreads.shutdown();
            if (!loopThreads.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Kafka: a consumer did not stop in time; its partitions are read again from the committed "
                        + "plan by their next owner");
            }
            ExecutorServiceManager threads = getEndpoint().getCamelContext().getExecutorServiceManager();
            threads.shutdownNow(loopThreads);
            threads.shutdown(workers);
            loops.clear();
            super.doStop();
        }
    }
}
