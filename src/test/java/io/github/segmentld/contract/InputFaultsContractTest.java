package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.TestInbox;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

/**
 * Only the input's own fault fails the input: a failure that is not the file's keeps it in the inbox until the cause is
 * gone, and a defect that one event trips turns down that event alone.
 */
class InputFaultsContractTest extends ContractTestSupport {

    @Override
    protected void adjust(Properties properties) {
        // a trigger that fails on a revenue Jackson reads as an infinite double (1e400)
        properties.setProperty("launchdarkly.mappings-file", inbox.mappingsFile("""
                destinations:
                  - name: shop
                    client-side-id: shop-id
                    events-base-url: %s
                    presets: false
                    mappings:
                      - name: Big orders
                        trigger: type = "track" and properties.revenue > 100
                        action: Track Event
                """.formatted(LAUNCHDARKLY.baseUrl())).toString());
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Test
    void aFileThatFailsForACauseNotItsOwnStaysInTheInboxAndIsDeliveredOnceTheCauseIsGone() throws Exception {
        AtomicBoolean outage = new AtomicBoolean(true);
        AtomicInteger failedAttempts = new AtomicInteger();
        AdviceWith.adviceWith(context, "pipeline", route -> route.weaveAddFirst().process(exchange -> {
            if (outage.get()) {
                failedAttempts.incrementAndGet();
                throw new IllegalStateException("the dead letters (Kafka topic dead) did not take batch x: timed out");
            }
        }));
        context.start();

        inbox.drop("orders.ndjson", """
                {"type":"track","userId":"u1","event":"Order","properties":{"revenue":150}}
                {"type":"track","userId":"u2","event":"Order","properties":{"revenue":250}}
                """);
        // read, failed, and read again after its back-off: it stayed in the inbox
        await().atMost(Duration.ofSeconds(20)).until(() -> failedAttempts.get() >= 2);
        assertThat(inbox.inbox().resolve("orders.ndjson")).exists();
        assertThat(TestInbox.list(inbox.failed())).isEmpty();

        outage.set(false);
        inbox.awaitDone("orders.ndjson");

        assertThat(LAUNCHDARKLY.acceptedUsers()).containsExactly("u1", "u2");
        assertThat(TestInbox.list(inbox.failed())).isEmpty();
    }

    @Test
    void anEventThatTripsAMappingDefectIsRejectedAloneAndTheOthersAreDelivered() throws IOException {
        context.start();

        inbox.drop("orders.ndjson", """
                {"type":"track","userId":"u1","event":"Order","properties":{"revenue":150},"timestamp":"2022-03-30T17:24:31Z"}
                {"type":"track","userId":"u2","event":"Order","properties":{"revenue":1e400},"timestamp":"2022-03-30T17:24:32Z"}
                {"type":"track","userId":"u3","event":"Order","properties":{"revenue":250},"timestamp":"2022-03-30T17:24:33Z"}
                """);
        inbox.awaitDone("orders.ndjson");

        assertThat(TestInbox.list(inbox.failed())).isEmpty();
        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
        assertThat(LaunchDarklyStandInServer.body(LAUNCHDARKLY.requests().get(0))).isEqualTo(parse("""
                [{'kind':'custom','key':'Order','contextKeys':{'user':'u1'},'metricValue':150,
                  'data':{'revenue':150},'creationDate':1648661071000},
                 {'kind':'custom','key':'Order','contextKeys':{'user':'u3'},'metricValue':250,
                  'data':{'revenue':250},'creationDate':1648661073000}]"""));
        List<Path> rejectionFiles = TestInbox.list(inbox.rejected());
        assertThat(rejectionFiles).hasSize(1);
        List<String> rejections = TestInbox.lines(rejectionFiles.get(0));
        assertThat(rejections).hasSize(1);
        JsonNode rejection = parse(rejections.get(0));
        assertThat(rejection.get("reason").asText()).isEqualTo(
                "the trigger of the mapping failed on the event: java.lang.NumberFormatException: Character I is neither a decimal digit number,"
                + " decimal point, nor \"e\" notation exponential mark.");
        assertThat(rejection.get("position").asText()).isEqualTo("line 2");
        assertThat(rejection.get("mapping").asText()).isEqualTo("Big orders");
        assertThat(rejection.get("event").get("userId").asText()).isEqualTo("u2");
    }
}
