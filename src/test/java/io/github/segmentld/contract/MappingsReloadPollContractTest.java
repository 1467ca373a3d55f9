package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Properties;

import io.github.segmentld.MappingsHealthCheck;
import io.github.segmentld.config.MappingsInForce;
import org.junit.jupiter.api.Test;

/**
 * The mappings file looked at every 100 ms: a change of its content is picked up without a request, a file with a
 * mistake is refused once, and a file replaced by renaming another over it (as a ConfigMap's symlink swap does) is
 * seen as well.
 */
class MappingsReloadPollContractTest extends ContractTestSupport {

    /** The mappings file, with production's track calls named {@code eventName}. */
    private static String mappings(String eventName) {
        return "destinations:\n" + trackInstance("production", "prod-id", eventName, "", LAUNCHDARKLY.baseUrl());
    }


    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    private Path mappings;

    @Override
    protected void adjust(Properties properties) {
        mappings = inbox.mappingsFile(mappings("order-v1"));
        properties.setProperty("launchdarkly.mappings-file", mappings.toString());
        properties.setProperty("launchdarkly.mappings-reload-interval-ms", "100");
    }

    private String digestInForce() {
        return context.getRegistry().lookupByNameAndType("mappingsInForce", MappingsInForce.class).version().digest();
    }

    /** Writes the file aside and renames it over the mappings file, as a ConfigMap's update swaps it. */
    private void replace(String content) throws IOException {
        Path next = Files.writeString(inbox.work().resolve(".mappings.next"), content);
        Files.move(next, mappings, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void aChangedFileIsPickedUpAndAFileWithAMistakeRefusedOnce() throws IOException {
        replace(mappings("order-v2"));
        String v2 = MappingsReloadContractTest.sha256(mappings);
        await().atMost(Duration.ofSeconds(20)).until(() -> digestInForce().equals(v2));

        inbox.drop("a.ndjson", """
                {"type":"track","userId":"u-1","event":"Order Completed","timestamp":"2022-03-30T17:30:00Z"}
                """);
        inbox.awaitDone("a.ndjson");
        assertThat(LAUNCHDARKLY.requests()).singleElement().satisfies(request -> assertThat(body(request))
                .isEqualTo(parse("[{'kind':'custom','key':'order-v2','contextKeys':{'user':'u-1'},'data':{},"
                        + "'creationDate':1648661400000}]")));

        replace("destinations: [\n");
        MappingsHealthCheck health = context.getRegistry().lookupByNameAndType("mappingsHealthCheck",
                MappingsHealthCheck.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> "refused".equals(health.call().getDetails()
                .get("last.reload.outcome")));
        replace(mappings("order-v3"));
        String v3 = MappingsReloadContractTest.sha256(mappings);
        await().atMost(Duration.ofSeconds(20)).until(() -> digestInForce().equals(v3));

        assertThat(metric("mappings.reloads", "outcome", "applied")).isEqualTo(2);
        assertThat(metric("mappings.reloads", "outcome", "refused")).isEqualTo(1);
    }
}
