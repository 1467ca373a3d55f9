package io.github.segmentld.launchdarkly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchDarklyStandInTest {

    private static final byte[] BATCH = "[{\"kind\":\"custom\",\"key\":\"Order Completed\"}]"
            .getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path work;

    private final AtomicLong nanoTime = new AtomicLong(42);

    private LaunchDarklyStandIn standIn(int remembered, Duration retention) {
        return new LaunchDarklyStandIn(true, work.resolve("received.ndjson"), MAPPER,
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), remembered, retention,
                nanoTime::get, "import-token");
    }

    private List<String> recordedPayloadIds() throws IOException {
        return Files.readAllLines(work.resolve("received.ndjson")).stream()
                .map(line -> {
                    try {
                        return MAPPER.readTree(line).get("payloadId").asText();
                    } catch (IOException e) {
                        throw new AssertionError(line, e);
                    }
                }).toList();
    }

    @Test
    void aPayloadIdPostedAgainWithinTheRetentionIsDropped() throws IOException {
        LaunchDarklyStandIn standIn = standIn(10, Duration.ofHours(24));
        standIn.receive(BATCH, null, "p-1", "id");
        nanoTime.addAndGet(Duration.ofHours(23).toNanos());
        standIn.receive(BATCH, null, "p-1", "id");
        standIn.receive(BATCH, null, "p-2", "id");

        assertThat(recordedPayloadIds()).containsExactly("p-1", "p-2");
    }

    @Test
    void aPayloadIdIsForgottenOnceItsRetentionIsOver() throws IOException {
        LaunchDarklyStandIn standIn = standIn(10, Duration.ofHours(24));
        standIn.receive(BATCH, null, "p-1", "id");
        nanoTime.addAndGet(Duration.ofHours(12).toNanos());
        standIn.receive(BATCH, null, "p-2", "id");
        nanoTime.addAndGet(Duration.ofHours(12).toNanos());
        standIn.receive(BATCH, null, "p-1", "id");
        standIn.receive(BATCH, null, "p-2", "id");

        assertThat(recordedPayloadIds()).containsExactly("p-1", "p-2", "p-1");
    }

    @Test
    void beyondItsNumberTheOldestPayloadIdIsForgottenFirst() throws IOException {
        LaunchDarklyStandIn standIn = standIn(2, Duration.ofHours(24));
        standIn.receive(BATCH, null, "p-1", "id");
        standIn.receive(BATCH, null, "p-2", "id");
        standIn.receive(BATCH, null, "p-3", "id");
        standIn.receive(BATCH, null, "p-3", "id");
        standIn.receive(BATCH, null, "p-2", "id");
        standIn.receive(BATCH, null, "p-1", "id");

        assertThat(recordedPayloadIds()).containsExactly("p-1", "p-2", "p-3", "p-1");
    }

    @Test
    void aGzippedBatchIsRecordedAsItsJson() throws IOException {
        LaunchDarklyStandIn standIn = standIn(10, Duration.ofHours(24));
        standIn.receive(RequestCompression.gzipped(BATCH), "gzip", "p-1", "id");
        standIn.receive(BATCH, null, "p-2", "id");

        List<String> lines = Files.readAllLines(work.resolve("received.ndjson"));
        assertThat(lines).hasSize(2);
        assertThat(MAPPER.readTree(lines.get(0)).get("events")).isEqualTo(MAPPER.readTree(BATCH))
                .isEqualTo(MAPPER.readTree(lines.get(1)).get("events"));
    }

    @Test
    void theImportPathRecordsAGzippedBatchOfCustomEventsPostedWithTheExpectedToken() throws IOException {
        LaunchDarklyStandIn standIn = standIn(10, Duration.ofHours(24));

        LaunchDarklyStandIn.Answer answer = standIn.receiveImport(RequestCompression.gzipped(BATCH), "gzip", "p-1",
                "import-token", "4", "shop", "production");

        assertThat(answer).isEqualTo(new LaunchDarklyStandIn.Answer(202, ""));
        assertThat(Files.readAllLines(work.resolve("received.ndjson"))).containsExactly("{\"receivedAt\":"
                + "\"2026-01-01T00:00:00Z\",\"projectKey\":\"shop\",\"environmentKey\":\"production\",\"payloadId\":"
                + "\"p-1\",\"events\":[{\"kind\":\"custom\",\"key\":\"Order Completed\"}]}");
    }

    @Test
    void theImportPathAnswersAsLaunchDarklyDocumentsAndRecordsNothingItRefuses() throws IOException {
        LaunchDarklyStandIn standIn = standIn(10, Duration.ofHours(24));
        byte[] alias = "[{\"kind\":\"alias\",\"key\":\"u1\"}]".getBytes(StandardCharsets.UTF_8);

        assertThat(standIn.receiveImport(BATCH, null, "p-1", "another-token", "4", "shop", "production"))
                .isEqualTo(new LaunchDarklyStandIn.Answer(401, "{\"code\":\"unauthorized\",\"message\":\"the access"
                        + " token is not valid, or lacks the importEventData action\"}"));
        assertThat(standIn.receiveImport(BATCH, null, "p-1", null, "4", "shop", "production").status()).isEqualTo(401);
        assertThat(standIn.receiveImport(BATCH, null, "p-1", "import-token", "3", "shop", "production").status())
                .isEqualTo(406);
        assertThat(standIn.receiveImport(alias, null, "p-1", "import-token", "4", "shop", "production"))
                .isEqualTo(new LaunchDarklyStandIn.Answer(400, "{\"code\":\"invalid_request\",\"message\":\"every"
                        + " event must be of kind custom\"}"));
        assertThat(standIn.receiveImport("{\"kind\":\"custom\"}".getBytes(StandardCharsets.UTF_8), null, "p-1",
                "import-token", "4", "shop", "production").status()).isEqualTo(400);
        assertThat(work.resolve("received.ndjson")).doesNotExist();
    }

    @Test
    void theRememberedIdsStayWithinTheirNumber() {
        RecentPayloadIds ids = new RecentPayloadIds(1_000, Duration.ofHours(24), nanoTime::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(ids.accept("p-" + i)).isTrue();
        }
        assertThat(ids.size()).isEqualTo(1_000);
        assertThat(ids.accept("p-9999")).isFalse();
        assertThat(ids.accept("p-0")).isTrue();
    }
}
