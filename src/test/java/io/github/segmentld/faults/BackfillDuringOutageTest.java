package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * A backfill larger than the whole heap, dropped while one of two LaunchDarkly environments is down, in a JVM with a
 * 64 MiB heap. Reading never runs ahead of delivery, and the down environment's batches go to its retry queue on
 * disk: the healthy environment receives everything while the other is still down, the file is committed, and the
 * down one receives everything exactly once when it is back. The heap holds, whatever the outage's length.
 */
class BackfillDuringOutageTest extends ChildApplicationTestSupport {

    private static final int EVENTS = 150_000;

    private final TestInbox inbox = TestInbox.create("backfill-outage");

    @Test
    void aFileLargerThanTheHeapGoesThroughWhileOneEnvironmentIsDown() throws Exception {
        launchDarkly.answer("staging-id", 503);
        Path file = writeBackfill();
        assertThat(Files.size(file)).as("the file is larger than the heap").isGreaterThan(64L << 20);

        application = ChildApplication.start(inbox, settings(), "application.log", "-Xmx64m");
        inbox.drop(file);

        await().atMost(Duration.ofSeconds(180)).until(() -> Files.exists(inbox.done().resolve("backfill.ndjson")));
        assertThat(launchDarkly.acceptedUsers("prod-id")).isEqualTo(EVENTS);
        assertThat(launchDarkly.acceptedUsers("staging-id")).isZero();

        launchDarkly.answer("staging-id", 202);
        await().atMost(Duration.ofSeconds(180)).until(() -> launchDarkly.acceptedUsers("staging-id") == EVENTS);

        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(application.isAlive()).as("no OutOfMemoryError ended it").isTrue();
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
        assertThat(Files.readString(inbox.work().resolve("application.log"))).doesNotContain("OutOfMemoryError");
    }

    private Path writeBackfill() throws IOException {
        Path file = inbox.work().resolve("backfill.ndjson");
        String padding = "x".repeat(300);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < EVENTS; i++) {
                out.write("{\"type\":\"track\",\"userId\":\"u-" + i + "\",\"event\":\"Backfilled\",\"timestamp\":0,"
                        + "\"properties\":{\"revenue\":" + i + ",\"note\":\"" + padding + "\"},"
                        + "\"context\":{\"library\":{\"name\":\"analytics-java\"}}}\n");
            }
        }
        return file;
    }

    private Properties settings() {
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("launchdarkly.mappings-file", inbox.twoDestinations(launchDarkly.baseUrl()).toString());
        settings.setProperty("retry-queue.drain-batches", "200");
        return settings;
    }
}
