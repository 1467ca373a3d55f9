package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The one place where the spool and the Kafka log accept a messageId of a source once. */
class MessageIdDedupeTest {

    private final MessageIdDedupe dedupe = new MessageIdDedupe(1000, 1 << 20,
            new PipelineMetrics(new SimpleMeterRegistry()));

    private static AcceptedEvents request(String source, String... ids) {
        return new AcceptedEvents(source, List.of(ids).stream().map(id -> new AcceptedEvents.Event(id, "track", "u",
                id.getBytes(StandardCharsets.UTF_8))).toList(), List.of());
    }

    private static List<String> ids(MessageIdDedupe.Claim claim) {
        return claim.fresh().stream().map(AcceptedEvents.Event::messageId).toList();
    }

    @Test
    void onlyTheEventsStoredAreRememberedSoARetryOfTheOthersIsAccepted() throws Exception {
        MessageIdDedupe.Claim first = dedupe.claim(request("web", "a", "b", "c", "a"), 0);
        assertThat(ids(first)).containsExactly("a", "b", "c");
        first.settle(List.of(first.fresh().get(0), first.fresh().get(2)));

        MessageIdDedupe.Claim retry = dedupe.claim(request("web", "a", "b", "c"), 0);
        assertThat(ids(retry)).containsExactly("b");
        assertThat(ids(dedupe.claim(request("backend", "a"), 0))).as("a messageId is scoped by source")
                .containsExactly("a");
    }

    @Test
    void aMessageIdClaimedByARequestStillStoringItHoldsBackAnotherUntilItsWaitEnds() throws Exception {
        MessageIdDedupe.Claim storing = dedupe.claim(request("web", "shared"), 0);

        assertThatThrownBy(() -> dedupe.claim(request("web", "other", "shared"), 0))
                .isInstanceOf(MessageIdDedupe.StillClaimedException.class);

        storing.settle(List.of());
        assertThat(ids(dedupe.claim(request("web", "other", "shared"), 0)))
                .as("what the other request did not store is accepted").containsExactly("other", "shared");
    }
}
