package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.store.ParkedBatches;
import io.github.segmentld.store.ParkedBatches.Parked;
import io.github.segmentld.store.StateDatabase;
import org.junit.jupiter.api.Test;

/**
 * A parked batch whose stored document cannot be inflated (damaged while the application was down) is written to the
 * dead letters as it is stored, with the reason, and only then leaves its retry queue: nothing is thrown away.
 */
class DamagedParkedBatchContractTest extends ContractTestSupport {

    private static final String PAYLOAD_ID = "0badc0de-0000-3000-8000-000000000001";
    private static final byte[] DAMAGED = "not a deflated document".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void adjust(Properties properties) {
        StateDatabase database = new StateDatabase(inbox.work().resolve("state/delivery.db"), Clock.systemUTC());
        database.start();
        new ParkedBatches(database, Clock.systemUTC()).park(new Parked(PAYLOAD_ID, "default", 3, DAMAGED, 1000, 2, 0,
                "LaunchDarkly answered 503"), Long.MAX_VALUE);
        database.stop();
    }

    @Test
    void aDamagedParkedBatchIsDeadLetteredWithItsStoredBytesBeforeItLeavesItsQueue() throws IOException {
        ParkedBatches parked = context.getRegistry().lookupByNameAndType("parkedBatches", ParkedBatches.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> parked.load(PAYLOAD_ID) == null);

        // it left its queue: its dead letter is written already
        Path deadLetter = inbox.deadLetters().resolve(PAYLOAD_ID + ".json");
        assertThat(deadLetter).exists();
        JsonNode written = parse(Files.readString(deadLetter));
        JsonNode section = written.get("deadLetter");
        assertThat(section.get("reason").asText())
                .isEqualTo("parked batch document could not be read: incorrect header check");
        assertThat(section.get("destination").asText()).isEqualTo("default");
        assertThat(section.get("payloadId").asText()).isEqualTo(PAYLOAD_ID);
        assertThat(section.get("events").asInt()).isEqualTo(3);
        assertThat(section.get("attempts").asInt()).isEqualTo(2);
        assertThat(section.get("lastFailure").asText()).isEqualTo("LaunchDarkly answered 503");
        assertThat(Base64.getDecoder().decode(written.get("parkedDocument").asText())).isEqualTo(DAMAGED);

        assertThat(parked.depths()).isEmpty();
        assertThat(LAUNCHDARKLY.requests()).isEmpty();
    }
}
