package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

import io.github.segmentld.TestInbox;
import io.github.segmentld.launchdarkly.DestinationsHealthCheck;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.StateDatabase;
import org.apache.camel.health.HealthCheck;
import io.github.segmentld.release.UpgradeFixture;
import org.junit.jupiter.api.Test;

/**
 * What a newer release wrote, met by the running application: a parked batch of a newer format version stays parked
 * as it is while the queue's other batches are sent, and the health says why; a dead letter of a newer version moved
 * into the inbox goes to the failed folder, unread, with the reason. Beside them, a parked batch and a dead letter as
 * release 0.1.0 wrote them (from the committed fixture) are delivered.
 */
class NewerFormatsContractTest extends ContractTestSupport {

    private static final Path FIXTURE = UpgradeFixture.FOLDER;
    private static final String READABLE = "01d00000-0000-3000-8000-000000000001";
    private static final String NEWER = "01d00000-0000-3000-8000-000000000002";
    private static final String DEAD_LETTER = "024f3904-5d82-3a7f-9ea7-7e117550f170.json";

    private byte[] newerDocument;

    @Override
    protected void adjust(Properties properties) {
        try {
            byte[] parkedBy010 = UpgradeFixture.firstParkedDocument();
            newerDocument = UpgradeFixture.deflated(
                    "{\"formatVersion\":2," + UpgradeFixture.inflated(parkedBy010).substring(1));
            StateDatabase database = new StateDatabase(inbox.work().resolve("state/delivery.db"), Clock.systemUTC());
            database.start();
            ParkedBatches parked = new ParkedBatches(database, Clock.systemUTC());
            // the newer one first in its queue: it must not hold up the one behind it
            parked.park(new Parked(NEWER, "default", 2, newerDocument, 1000, 1, 0, "LaunchDarkly answered 503"),
                    Long.MAX_VALUE);
            parked.park(new Parked(READABLE, "default", 2, parkedBy010, 1000, 1, 1, "LaunchDarkly answered 503"),
                    Long.MAX_VALUE);
            database.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aParkedBatchOfANewerReleaseStaysParkedUntouchedWhileTheOneBehindItIsSent() {
        ParkedBatches parked = context.getRegistry().lookupByNameAndType("parkedBatches", ParkedBatches.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> parked.load(READABLE) == null);
        assertThat(LAUNCHDARKLY.accepted()).containsOnlyKeys(READABLE);

        Parked left = parked.load(NEWER);
        assertThat(left.document()).isEqualTo(newerDocument);
        assertThat(left.attempts()).isEqualTo(1);
        assertThat(left.nextAttemptAt()).isZero();
        assertThat(parked.depths().get("default").batches()).isEqualTo(1);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
        HealthCheck.Result health = context.getRegistry()
                .lookupByNameAndType("destinationsHealthCheck", DestinationsHealthCheck.class).call();
        assertThat(health.getDetails()).containsEntry("default.retry.queue.newer.release.batches", 1);
        assertThat(health.getMessage()).hasValue("degraded: default (circuit CLOSED, 1 batches in its retry queue, 1"
                + " of them written by a newer release, left for it)");
    }

    @Test
    void aDeadLetterOfANewerReleaseGoesToTheFailedFolderUnreadAndOneOfRelease010IsDelivered() throws IOException {
        ParkedBatches parked = context.getRegistry().lookupByNameAndType("parkedBatches", ParkedBatches.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> parked.load(READABLE) == null);
        int requests = LAUNCHDARKLY.requests().size();
        String letter = Files.readString(FIXTURE.resolve("dead-letter").resolve(DEAD_LETTER));
        String newer = "{\"formatVersion\":2," + letter.substring(1);

        inbox.drop("newer-" + DEAD_LETTER, newer);
        Path reason = inbox.failed().resolve("newer-" + DEAD_LETTER + ".reason.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(reason));
        assertThat(Files.readString(reason)).contains("written by a newer release: dead letter format version 2, this"
                + " release reads up to version 1");
        assertThat(Files.readString(inbox.failed().resolve("newer-" + DEAD_LETTER))).isEqualTo(newer);
        assertThat(LAUNCHDARKLY.requests()).hasSize(requests);

        // its destination, sandbox, is not configured here: the events of a dead letter go to their own instance only
        inbox.drop(DEAD_LETTER, letter.replace("\"destination\":\"sandbox\"", "\"destination\":\"default\""));
        inbox.awaitDone(DEAD_LETTER);
        assertThat(LAUNCHDARKLY.requests()).hasSize(requests + 1);
        assertThat(TestInbox.list(inbox.failed())).hasSize(2);
    }
}
