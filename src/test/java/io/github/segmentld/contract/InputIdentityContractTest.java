package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * An inbox file is recognised by its content: the same content dropped again under another name or time sends
 * nothing twice, and content that differs in one event is a new input, whatever its name, length and time.
 */
class InputIdentityContractTest extends ContractTestSupport {

    private static final FileTime AN_HOUR_AGO = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("pipeline.chunk-size", "2");
    }

    private static int acceptedEvents() {
        return LAUNCHDARKLY.accepted().values().stream().mapToInt(JsonNode::size).sum();
    }

    /** Moves a file into the inbox with the given modification time, and waits until it is committed. */
    private void moveIn(Path file, String name, FileTime modified) throws IOException {
        Path hidden = Files.move(file, inbox.inbox().resolve("." + name + ".writing"), StandardCopyOption.ATOMIC_MOVE);
        Files.setLastModifiedTime(hidden, modified);
        Files.move(hidden, inbox.inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        inbox.awaitDone(name);
    }

    @Test
    void aCopyARenameAndATouchOfADeliveredFileSendNothingAgain() throws IOException {
        inbox.drop("events.ndjson", TestInbox.trackLines(1, 5));
        Path delivered = inbox.awaitDone("events.ndjson");
        assertThat(LAUNCHDARKLY.requests()).hasSize(3);
        assertThat(acceptedEvents()).isEqualTo(5);

        // copied without -p: a new name and a new modification time
        inbox.drop("events-copy.ndjson", Files.readAllBytes(delivered));
        inbox.awaitDone("events-copy.ndjson");
        assertThat(LAUNCHDARKLY.requests()).hasSize(3);

        moveIn(delivered, "renamed.ndjson", Files.getLastModifiedTime(delivered));
        assertThat(LAUNCHDARKLY.requests()).hasSize(3);

        moveIn(inbox.done().resolve("renamed.ndjson"), "renamed.ndjson", AN_HOUR_AGO);
        assertThat(LAUNCHDARKLY.requests()).hasSize(3);
        assertThat(acceptedEvents()).isEqualTo(5);
    }

    @Test
    void aFileOfTheSameNameLengthAndTimeThatDiffersInItsLastEventIsDeliveredInFull() throws IOException {
        Path first = Files.writeString(inbox.work().resolve("first"), TestInbox.trackLines(1, 5));
        moveIn(first, "export.ndjson", AN_HOUR_AGO);
        Files.delete(inbox.done().resolve("export.ndjson"));

        // u6 in place of u5: the same length
        Path second = Files.writeString(inbox.work().resolve("second"), TestInbox.trackLines(1, 4) + TestInbox.trackLines(6, 6));
        assertThat(Files.size(second)).isEqualTo(TestInbox.trackLines(1, 5).length());
        moveIn(second, "export.ndjson", AN_HOUR_AGO);

        assertThat(LAUNCHDARKLY.requests()).hasSize(6);
        assertThat(LAUNCHDARKLY.accepted()).hasSize(6);
        assertThat(acceptedEvents()).isEqualTo(10);
        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactlyInAnyOrder(
                "u1", "u2", "u3", "u4", "u5", "u1", "u2", "u3", "u4", "u6");
    }
}
