package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** A retry queue over its size limit takes no more: its destination's new batches are dead-lettered, loudly. */
class RetryQueueLimitContractTest extends TwoDestinationsSupport {

    @Override
    protected void adjust(Properties properties) {
        super.adjust(properties);
        // Room for about three deflated batches of three events.
        properties.setProperty("retry-queue.max-bytes", "700");
    }

    @Test
    void aFullQueueDeadLettersTheNewBatchesOfItsDestinationAndTheOthersCarryOn() throws IOException {
        stagingAnswers(503);

        dropStream();
        inbox.awaitDone("stream.ndjson");

        assertThat(usersAcceptedBy("prod-id")).hasSize(EVENTS).doesNotHaveDuplicates();
        double parked = gauge("launchdarkly.retry.queue.events", "staging");
        List<Path> deadLetters = TestInbox.list(inbox.deadLetters());
        assertThat(parked).isBetween(3.0, EVENTS - 3.0);
        assertThat(parked + 3 * deadLetters.size()).isEqualTo(EVENTS);
        assertThat(gauge("launchdarkly.retry.queue.bytes", "staging")).isLessThanOrEqualTo(700);
        for (Path file : deadLetters) {
            JsonNode deadLetter = Json.MAPPER.readTree(file.toFile()).path("deadLetter");
            assertThat(deadLetter.path("destination").asText()).isEqualTo("staging");
            assertThat(deadLetter.path("reason").asText()).startsWith("the retry queue of destination 'staging' is full");
        }
    }
}
