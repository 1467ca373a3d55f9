package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.TestInbox;
import io.github.segmentld.launchdarkly.EventsEndpoint;
import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.store.DeliveryLedger;
import io.github.segmentld.store.DeliveryLedger.Outcome;
import io.github.segmentld.store.StateDatabase;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.junit.jupiter.api.Test;

/**
 * A work folder left by the release that identified an input by its name, length and modification time: files read in
 * part then keep that identity, so what was delivered of them is not sent again and the rest goes under the payload IDs
 * that release gave it.
 */
class UpgradedWorkFolderContractTest extends ContractTestSupport {

    private static final FileTime MODIFIED = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
    /** The destination of the test settings, as the payload IDs name it. */
    private static final EventsEndpoint DESTINATION = new EventsEndpoint("default", "test-client-id", "unused");

    private String settledInPart;
    private String deliveredInPart;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("pipeline.chunk-size", "2");
    }

    /**
     * Before the application starts: two files of 6 events (3 chunks) in the inbox, and a state database written as
     * the release before wrote it, chunk keys and payload IDs from {@code name|length|modification time}. Of the first
     * file, chunk 0 was delivered and settled and chunk 1 delivered; of the second, only chunk 0 was delivered.
     */
    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        settledInPart = legacyIdOf(dropOld("settled-in-part.ndjson"));
        deliveredInPart = legacyIdOf(dropOld("delivered-in-part.ndjson"));
        StateDatabase database = new StateDatabase(inbox.work().resolve("state/delivery.db"), Clock.systemUTC());
        database.start();
        try {
            DeliveryLedger ledger = new DeliveryLedger(database, Clock.systemUTC(), Duration.ofDays(14));
            ledger.recordLater(payloadId(settledInPart, 0), "default", Outcome.DELIVERED, 2);
            ledger.settleChunkLater(settledInPart + "#0");
            ledger.recordLater(payloadId(settledInPart, 1), "default", Outcome.DELIVERED, 2);
            ledger.recordLater(payloadId(deliveredInPart, 0), "default", Outcome.DELIVERED, 2);
            // a write that waits commits the ones queued before it
            database.write(connection -> null);
        } finally {
            database.stop();
        }
    }

    private Path dropOld(String name) {
        try {
            Path written = Files.writeString(inbox.work().resolve(name), TestInbox.trackLines(1, 6));
            Files.setLastModifiedTime(written, MODIFIED);
            Files.createDirectories(inbox.inbox());
            return Files.move(written, inbox.inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String legacyIdOf(Path file) {
        return file.getFileName() + "|" + file.toFile().length() + "|" + file.toFile().lastModified();
    }

    private static String payloadId(String inputId, int chunk) {
        return LaunchDarklyBatch.derivePayloadId(inputId, chunk, DESTINATION);
    }

    @Test
    void filesReadInPartBeforeTheUpgradeSendOnlyTheirOtherChunksUnderTheirFormerPayloadIds() {
        inbox.awaitDone("settled-in-part.ndjson");
        inbox.awaitDone("delivered-in-part.ndjson");

        assertThat(LAUNCHDARKLY.requests()).extracting(UpgradedWorkFolderContractTest::payloadIdOf)
                .containsExactlyInAnyOrder(payloadId(settledInPart, 2), payloadId(deliveredInPart, 1),
                        payloadId(deliveredInPart, 2));
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactlyInAnyOrder("u5", "u6", "u3", "u4", "u5", "u6");
    }

    private static String payloadIdOf(LoggedRequest request) {
        return request.getHeader("X-LaunchDarkly-Payload-ID");
    }
}
