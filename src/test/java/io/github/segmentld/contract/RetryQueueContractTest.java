package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import io.github.segmentld.observe.DeliveryRates;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The retry queues of two destination instances, production and staging, on one stream: one environment that is down
 * (or slow to come back) holds up neither the inbox nor the other; its queue is bounded and its retry time too.
 */
class RetryQueueContractTest extends TwoDestinationsSupport {

    @Override
    protected void adjust(Properties properties) {
        super.adjust(properties);
        properties.setProperty("launchdarkly.delivery.max-retry-time-ms", "1500");
    }

    @Test
    void oneEnvironmentDownHoldsUpNeitherTheInboxNorTheOtherAndGetsEverythingOnceWhenBack() {
        StubMapping down = stagingAnswers(503);

        dropStream();
        inbox.awaitDone("stream.ndjson");
        assertThat(usersAcceptedBy("prod-id")).hasSize(EVENTS).doesNotHaveDuplicates();
        assertThat(usersAcceptedBy("staging-id")).isEmpty();
        assertThat(gauge("launchdarkly.retry.queue.events", "staging")).isEqualTo(EVENTS);
        assertThat(gauge("launchdarkly.retry.queue.events", "production")).isZero();

        LAUNCHDARKLY.wireMock().removeStub(down);
        await().atMost(Duration.ofSeconds(20)).until(() -> usersAcceptedBy("staging-id").size() == EVENTS);

        assertThat(usersAcceptedBy("staging-id")).doesNotHaveDuplicates();
        assertThat(usersAcceptedBy("prod-id")).hasSize(EVENTS);
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("launchdarkly.retry.queue.batches", "staging") == 0);

        // what the alert rules judge: each event failed once (parked, whatever its retries), then delivered, and
        // the drained events kept the mapping that made them
        assertThat(metric("launchdarkly.events.failed", "destination", "staging")).isEqualTo(EVENTS);
        DeliveryRates.Totals staging = context.getRegistry().lookupByNameAndType("deliveryRates", DeliveryRates.class)
                .totals("staging", null, Duration.ofMinutes(15));
        assertThat(staging.failed()).isEqualTo(EVENTS);
        assertThat(staging.delivered()).isEqualTo(EVENTS);
        assertThat(context.getRegistry().lookupByNameAndType("deliveryRates", DeliveryRates.class)
                .totals("staging", "", Duration.ofMinutes(15)).outcomes()).as("events without their mapping").isZero();
    }

    @Test
    void aBatchThatKeepsFailingIsDeadLetteredWhenItsRetryTimeIsOver() throws IOException {
        stagingAnswers(503);

        dropStream();
        inbox.awaitDone("stream.ndjson");
        await().atMost(Duration.ofSeconds(20)).until(() -> TestInbox.list(inbox.deadLetters()).size() == EVENTS / 3);

        for (Path file : TestInbox.list(inbox.deadLetters())) {
            JsonNode deadLetter = Json.MAPPER.readTree(file.toFile()).path("deadLetter");
            assertThat(deadLetter.path("destination").asText()).isEqualTo("staging");
            assertThat(file.getFileName().toString()).isEqualTo(deadLetter.path("payloadId").asText() + ".json");
            assertThat(deadLetter.path("status").asInt()).isEqualTo(503);
            assertThat(deadLetter.path("responseBody").asText()).isEqualTo("{\"message\":\"unavailable\"}");
            assertThat(deadLetter.path("reason").asText())
                    .startsWith("LaunchDarkly kept failing for PT1.5S").endsWith("LaunchDarkly answered 503 Service Unavailable");
        }
        assertThat(usersAcceptedBy("prod-id")).hasSize(EVENTS);
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("launchdarkly.retry.queue.batches", "staging") == 0);
        assertThat(metric("launchdarkly.events.dead.lettered", "destination", "staging", "status", "503")).isEqualTo(EVENTS);
        assertThat(metric("launchdarkly.events.failed", "destination", "staging")).as("counted once, when parked")
                .isEqualTo(EVENTS);
    }
}
