package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * A pretty-printed Segment batch object of about 70 MB, its context and integrations after the batch array, dropped
 * into a JVM with a 96 MiB heap: the batch array is streamed item by item, so the heap holds whatever the size.
 */
class LargeBatchObjectTest extends ChildApplicationTestSupport {

    private static final int EVENTS = 20_000;

    private final TestInbox inbox = TestInbox.create("large-batch-object");

    @Test
    void aBatchObjectLargerThanTheHeapIsDeliveredCompletely() throws Exception {
        Path file = writeBatchObject();
        assertThat(Files.size(file)).as("the file is most of the heap").isGreaterThan(60L << 20);

        application = ChildApplication.start(inbox, inbox.properties(launchDarkly.baseUrl()), "application.log",
                "-Xmx96m");
        inbox.drop(file);

        Path done = inbox.done().resolve(file.getFileName());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done) || !application.isAlive());
        assertThat(application.isAlive()).as("no OutOfMemoryError ended it").isTrue();
        assertThat(done).exists();
        assertThat(launchDarkly.acceptedUsers("test-client-id")).isEqualTo(EVENTS);
        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(TestInbox.list(inbox.failed())).isEmpty();
        assertThat(Files.readString(inbox.work().resolve("application.log"))).doesNotContain("OutOfMemoryError");
    }

    /** Pretty-printed as a client library's debug dump would be: one field per line, indented. */
    private Path writeBatchObject() throws IOException {
        Path file = inbox.work().resolve("batch.json");
        String padding = "x".repeat(3200);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("{\n  \"batch\": [\n");
            for (int i = 0; i < EVENTS; i++) {
                out.write((i == 0 ? "" : ",\n") + """
                            {
                              "type": "track",
                              "userId": "u-%d",
                              "event": "Backfilled",
                              "timestamp": "2024-01-01T00:00:00Z",
                              "properties": {
                                "revenue": %d
                              },
                              "context": {
                                "page": {
                                  "title": "%s"
                                }
                              }
                            }""".formatted(i, i, padding));
            }
            out.write("\n  ],\n  \"context\": {\n    \"library\": {\n      \"name\": \"analytics-java\"\n    }\n  },\n"
                    + "  \"integrations\": {\n    \"LaunchDarkly\": true\n  },\n  \"sentAt\": \"2024-01-01T00:00:01Z\"\n}\n");
        }
        return file;
    }
}
