package io.github.segmentld.launchdarkly;

import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.DeliveryLedger.Outcome;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.ParkedBatches;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the final outcome of a batch: in the delivery ledger, or, for a batch taken from a retry queue, by taking
 * it out of the queue in the same transaction. A ledger record goes with the next commit without being waited for
 * (the chunk's settlement, which the input's commit waits for, comes after it): if a crash loses it, the batch is
 * sent again under its payload ID, which LaunchDarkly drops.
 */
public class DeliveryOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryOutcomes.class);

    private final DeliveryLedger ledger;
    private final ParkedBatches parked;
    private final DestinationCircuits circuits;
    private final PipelineMetrics metrics;
    private final CredentialRefusals refusals;

    public DeliveryOutcomes(DeliveryLedger ledger, ParkedBatches parked, DestinationCircuits circuits,
                            PipelineMetrics metrics, CredentialRefusals refusals) {
        this.ledger = ledger;
        this.parked = parked;
        this.circuits = circuits;
        this.metrics = metrics;
        this.refusals = refusals;
    }

    /** LaunchDarkly answered 2xx. */
    public void delivered(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch) {
        circuits.succeeded(batch.destination().name());
        refusals.accepted(batch.destination().name());
        metrics.delivered(batch.destination().name(), batch.eventsByMapping());
        if (batch.isQueued()) {
            metrics.drained(batch.destination().name(), batch.size());
        }
        record(batch, Outcome.DELIVERED);
        LOG.info("Delivered batch {} ({} events) to {}{}", batch.payloadId(), batch.size(), batch.destination(),
                batch.isQueued() ? " from its retry queue" : "");
    }

    /** LaunchDarkly answered 413, and the halves have their own outcomes. */
    public void split(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch) {
        record(batch, Outcome.SPLIT);
    }

    /** The batch is in the dead-letter store (the folder or the Kafka topic). */
    public void deadLettered(@ExchangeProperty(LaunchDarklyBatch.PROPERTY) LaunchDarklyBatch batch) {
        record(batch, Outcome.DEAD_LETTERED);
    }

    private void record(LaunchDarklyBatch batch, Outcome outcome) {
        String destination = batch.destination().name();
        if (batch.isQueued()) {
            parked.remove(batch.payloadId(), destination, outcome, batch.size());
        } else {
            ledger.recordLater(batch.payloadId(), destination, outcome, batch.size());
        }
    }
}
