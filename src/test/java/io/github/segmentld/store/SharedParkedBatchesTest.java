package io.github.segmentld.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.github.segmentld.store.DeliveryLedger.Outcome;
import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.ParkedBatches.SharedChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retry queues shared with other instances: what is written where first, and which batches this one sends. */
class SharedParkedBatchesTest {

    /** Shares by payload ID: "a…" in partition 0, anything else in partition 1. */
    private static final class RecordedSharing implements ParkedBatches.Sharing {

        final List<String> published = new ArrayList<>();
        Set<Integer> held = Set.of(0);
        boolean down;

        @Override
        public int publish(Parked batch) {
            if (down) {
                throw new StateUnavailableException("the broker is down", null);
            }
            published.add("park " + batch.payloadId());
            return partition(batch.payloadId());
        }

        @Override
        public void publishRemoval(String payloadId) {
            if (down) {
                throw new StateUnavailableException("the broker is down", null);
            }
            published.add("remove " + payloadId);
        }

        @Override
        public Set<Integer> heldPartitions() {
            return held;
        }

        static int partition(String payloadId) {
            return payloadId.startsWith("a") ? 0 : 1;
        }
    }

    @TempDir
    Path dir;
    private StateDatabase database;
    private DeliveryLedger ledger;
    private ParkedBatches queue;
    private final RecordedSharing sharing = new RecordedSharing();

    @BeforeEach
    void open() {
        database = new StateDatabase(dir.resolve("state.db"), Clock.systemUTC());
        database.start();
        ledger = new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(1));
        queue = new ParkedBatches(database, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        database.stop();
    }

    private static Parked parked(String payloadId, int bytes) {
        return new Parked(payloadId, "staging", 3, new byte[bytes], 1000, 1, 0, "LaunchDarkly answered 503");
    }

    @Test
    void aBatchIsSharedBeforeItIsParkedHereAndOnlyTheHeldPartitionsAreSentFromHere() {
        queue.shareThrough(sharing);

        assertThat(queue.park(parked("a1", 100), 1000)).isTrue();
        assertThat(queue.park(parked("b1", 100), 1000)).isTrue();
        queue.applyShared(List.of(new SharedChange("a2", 0, parked("a2", 100)),
                new SharedChange("b2", 1, parked("b2", 100))));

        assertThat(sharing.published).containsExactly("park a1", "park b1");
        assertThat(queue.due("staging", 10)).containsExactlyInAnyOrder("a1", "a2");
        assertThat(queue.depths().get("staging").batches()).as("the share this instance sends").isEqualTo(2);
        sharing.held = Set.of(0, 1);
        assertThat(queue.due("staging", 10)).containsExactlyInAnyOrder("a1", "a2", "b1", "b2");
        assertThat(queue.depths().get("staging").batches()).isEqualTo(4);
        sharing.held = Set.of();
        assertThat(queue.due("staging", 10)).as("not caught up, or no partition held").isEmpty();
        assertThat(ledger.unsettledBatch("a1")).as("parked here: settled").isFalse();
        assertThat(ledger.unsettledBatch("a2")).as("parked by another instance: settled there").isTrue();
    }

    @Test
    void aBrokerThatDoesNotTakeTheBatchLeavesNothingParkedAndNothingSettled() {
        queue.shareThrough(sharing);
        sharing.down = true;

        assertThatThrownBy(() -> queue.park(parked("a1", 100), 1000)).isInstanceOf(StateUnavailableException.class);
        assertThat(queue.depths()).isEmpty();
        assertThat(ledger.unsettledBatch("a1")).isTrue();
    }

    @Test
    void aBatchLeavesTheSharedQueueBeforeItLeavesThisCopy() {
        queue.shareThrough(sharing);
        queue.park(parked("a1", 100), 1000);

        sharing.down = true;
        assertThatThrownBy(() -> queue.remove("a1", "staging", Outcome.DELIVERED, 3))
                .isInstanceOf(StateUnavailableException.class);
        assertThat(queue.due("staging", 10)).as("still parked: sent again later").containsExactly("a1");

        sharing.down = false;
        queue.remove("a1", "staging", Outcome.DELIVERED, 3);
        assertThat(sharing.published).containsExactly("park a1", "remove a1");
        assertThat(queue.depths()).isEmpty();
    }

    @Test
    void changesOfTheOthersKeepTheDepthAndTheLimitCountsTheWholeSharedQueue() {
        queue.shareThrough(sharing);
        sharing.held = Set.of(1);
        queue.applyShared(List.of(new SharedChange("b1", 1, parked("b1", 400)),
                new SharedChange("b2", 1, parked("b2", 400))));

        sharing.held = Set.of(0);
        assertThat(queue.depths()).as("none of them sent from here").isEmpty();
        assertThat(queue.park(parked("a1", 400), 1000)).as("over the limit with the others' batches").isFalse();
        assertThat(sharing.published).isEmpty();
        sharing.held = Set.of(1);

        queue.applyShared(List.of(new SharedChange("b1", 1, parked("b1", 300)), new SharedChange("b2", 1, null),
                new SharedChange("b3", 1, null)));
        assertThat(queue.depths().get("staging")).isEqualTo(new ParkedBatches.Depth(1, 3, 300, 1000));
        assertThat(queue.park(parked("a1", 400), 1000)).isTrue();
    }

    @Test
    void batchesParkedBeforeSharingAreHandedOverAndTheCopyIsReadAnew() {
        queue.park(parked("a1", 100), 1000);
        queue.park(parked("b1", 100), 1000);
        queue.shareThrough(sharing);
        queue.park(parked("c1", 100), 1000);

        assertThat(queue.unshared("", 1)).extracting(Parked::payloadId).containsExactly("a1");
        assertThat(queue.unshared("a1", 10)).extracting(Parked::payloadId).containsExactly("b1");
        queue.forgetSharedCopy();
        assertThat(queue.depths()).isEmpty();
        assertThat(queue.unshared("", 10)).isEmpty();
    }
}
