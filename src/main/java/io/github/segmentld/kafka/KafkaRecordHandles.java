package io.github.segmentld.kafka;

import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Gives each consumed record a handle ({@link KafkaChunks} reads it from the record's
 * {@code CamelKafkaManualCommit} header) to its consumer, partition and offset: the chunks of a poll are planned and
 * committed by {@link KafkaChunks} on the consumer's own thread, with offset metadata, which Camel's own manual commit
 * does not write. With this factory Camel commits nothing itself.
 */
public class KafkaRecordHandles implements KafkaManualCommitFactory {

    /** A record's place, and the consumer that read it. */
    public record Handle(Consumer<?, ?> consumer, TopicPartition partition, long offset) implements KafkaManualCommit {

        /** Records are not committed one by one: {@link KafkaChunks} commits each poll's chunks once settled. */
        @Override
        public void commit() {
            throw new UnsupportedOperationException("records are committed by their chunks");
        }
    }

    @Override
    public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
                                         CommitManager commitManager) {
        return new Handle(exchange.consumer, record.partition, record.recordOffset);
    }
}
