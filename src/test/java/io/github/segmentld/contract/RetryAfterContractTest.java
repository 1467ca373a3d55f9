package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * Retry-After decides the wait before a redelivery. The redelivery policy here would first wait ten minutes, so a
 * batch delivered within the test's time shows that LaunchDarkly's Retry-After was honoured instead.
 */
class RetryAfterContractTest extends ContractTestSupport {

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("launchdarkly.delivery.initial-delay-ms", "600000");
        properties.setProperty("launchdarkly.delivery.max-delay-ms", "600000");
    }

    private void answerFirst(int status, String retryAfter) {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(status).withHeader("Retry-After", retryAfter));
    }

    private void assertDeliveredOnRedelivery() {
        inbox.drop("one.ndjson", "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}");
        inbox.awaitDone("one.ndjson");

        assertThat(LAUNCHDARKLY.requests()).hasSize(2);
        assertThat(LAUNCHDARKLY.requests().stream().map(LaunchDarklyStandInServer::payloadId).distinct()).hasSize(1);
        assertThat(metric("launchdarkly.events.delivered", "destination", "default")).isEqualTo(1);
    }

    @Test
    void a429WithRetryAfterInSecondsIsRedeliveredAfterThatWait() {
        answerFirst(429, "1");

        assertDeliveredOnRedelivery();
    }

    @Test
    void a503WithRetryAfterAsAnHttpDateIsRedeliveredAtThatTime() {
        answerFirst(503, DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(2).atZone(ZoneOffset.UTC)));

        assertDeliveredOnRedelivery();
    }
}
