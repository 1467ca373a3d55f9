package io.github.segmentld.launchdarkly;

import java.util.List;
import java.util.function.Predicate;

import io.github.segmentld.store.DeliveryLedger;

/**
 * Whether the state database holds records of an input under the identity the release before gave files (name,
 * length and modification time): a settled chunk, or an outcome of one of the batches of the first chunks, those that
 * can be in flight before any chunk of the input is settled. Such an input keeps that identity when it is read again.
 */
public class LegacyInputRecords implements Predicate<String> {

    private final DeliveryLedger ledger;
    private final List<EventsEndpoint> destinations;
    private final int chunksInFlight;

    /** @param chunksInFlight how many chunks of an input are read at most before one of them is settled */
    public LegacyInputRecords(DeliveryLedger ledger, List<EventsEndpoint> destinations, int chunksInFlight) {
        this.ledger = ledger;
        this.destinations = List.copyOf(destinations);
        this.chunksInFlight = chunksInFlight;
    }

    @Override
    public boolean test(String legacyInputId) {
        if (ledger.anySettledChunkOf(legacyInputId)) {
            return true;
        }
        for (int chunk = 0; chunk < chunksInFlight; chunk++) {
            for (EventsEndpoint destination : destinations) {
                if (!ledger.unsettledBatch(LaunchDarklyBatch.derivePayloadId(legacyInputId, chunk, destination))) {
                    return true;
                }
            }
        }
        return false;
    }
}
