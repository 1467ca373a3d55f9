package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * A state database damaged while the application was down (here: bytes that are not a database, with a non-UTF-8 one
 * among them) never stops the start: it is moved aside, a new one is made, and delivery goes on.
 */
class DamagedStateContractTest extends ContractTestSupport {

    private Path database;

    @Override
    protected void adjust(Properties properties) {
        database = inbox.work().resolve("state/delivery.db");
        try {
            Files.createDirectories(database.getParent());
            Files.write(database, new byte[] {'S', 'Q', 'L', (byte) 0xff, (byte) 0xc3, 0, 1, 2, 3});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theApplicationStartsAndDelivers() {
        inbox.drop("one.ndjson", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}");
        inbox.awaitDone("one.ndjson");

        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactly("u");
        assertThat(TestInbox.list(database.getParent())).anySatisfy(aside ->
                assertThat(aside.getFileName().toString()).startsWith("delivery.db.damaged-"));
    }
}
