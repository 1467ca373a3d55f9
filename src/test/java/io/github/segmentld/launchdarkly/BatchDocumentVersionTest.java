package io.github.segmentld.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.mapping.LaunchDarklyEvent;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.release.UpgradeFixture;
import org.junit.jupiter.api.Test;

/**
 * The document of a parked batch names its format version: the unversioned documents of release 0.1.0 (from the
 * committed fixture's state database) are read, this release writes version 1, and a newer one is told from a damaged
 * one, so that the retry queue leaves it parked rather than dead-lettering it.
 */
class BatchDocumentVersionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final EventsEndpoint DESTINATION = new EventsEndpoint("staging", "staging-id", "unused");
    private static final LaunchDarklyBatch.Retry RETRY = new LaunchDarklyBatch.Retry(1000, 1, true);

    /** The document of one batch release 0.1.0 parked, as its state database holds it. */
    @Test
    void aParkedBatchIsWrittenWithItsFormatVersionFirst() throws IOException {
        ObjectNode segmentEvent = MAPPER.createObjectNode().put("type", "track").put("userId", "u1");
        ObjectNode sent = MAPPER.createObjectNode().put("kind", "custom").put("key", "E");
        LaunchDarklyBatch batch = new LaunchDarklyBatch("p1", DESTINATION,
                List.of(new LaunchDarklyEvent(sent, new SegmentEvent(segmentEvent, 1), "Track Calls")));

        assertThat(UpgradeFixture.inflated(BatchDocument.deflate(batch, MAPPER))).isEqualTo("{\"formatVersion\":1,"
                + "\"launchDarklyEvents\":[{\"kind\":\"custom\",\"key\":\"E\"}],"
                + "\"batch\":[{\"type\":\"track\",\"userId\":\"u1\"}],\"sources\":[0],\"mappings\":[\"Track Calls\"]}");
    }

    @Test
    void theUnversionedDocumentOfRelease010IsRead() throws Exception {
        byte[] document = UpgradeFixture.firstParkedDocument();
        assertThat(UpgradeFixture.inflated(document)).startsWith("{\"launchDarklyEvents\":");

        LaunchDarklyBatch batch = BatchDocument.inflate(document, "p1", DESTINATION, RETRY, MAPPER);

        assertThat(batch.events()).hasSize(2);
        assertThat(batch.events()).extracting(e -> e.segmentEvent().json().path("type").asText()).containsOnly("track");
    }

    @Test
    void aDocumentOfANewerVersionIsRefusedAsNewerNotAsDamaged() throws Exception {
        byte[] newer = UpgradeFixture.deflated(
                "{\"formatVersion\":2," + UpgradeFixture.inflated(UpgradeFixture.firstParkedDocument()).substring(1));

        assertThatThrownBy(() -> BatchDocument.inflate(newer, "p1", DESTINATION, RETRY, MAPPER))
                .isInstanceOf(BatchDocument.NewerDocumentException.class)
                .hasMessage("written by a newer release: parked batch format version 2, this release reads up to"
                        + " version 1");
    }
}
