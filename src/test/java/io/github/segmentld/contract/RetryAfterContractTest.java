package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import org.junit.jupiter.api.Test;

/**
 * A Retry-After is honoured for the whole destination, not for one batch: after LaunchDarkly asked to wait, no request
 * at all goes to it before the time is up (the batches meanwhile are parked), then it is probed and the queue drains.
 * The file is committed without waiting. The backoff here would wait ten minutes, so deliveries within the test's
 * time show that the Retry-After decided the wait.
 */
class RetryAfterContractTest extends ContractTestSupport {

    private static final int BATCHES = 6;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("pipeline.chunk-size", "1");
        properties.setProperty("pipeline.concurrency", "1");
        properties.setProperty("launchdarkly.delivery.initial-delay-ms", "600000");
        properties.setProperty("launchdarkly.delivery.max-delay-ms", "600000");
        properties.setProperty("launchdarkly.circuit.open-ms", "600000");
    }

    private void assertNoRequestBeforeTheWaitIsOver(long waitMillis) {
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < BATCHES; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"u").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }
        inbox.drop("six.ndjson", events.toString());
        inbox.awaitDone("six.ndjson");
        await().atMost(Duration.ofSeconds(20)).until(() -> LAUNCHDARKLY.accepted().size() == BATCHES);

        List<ServeEvent> served = new ArrayList<>(LAUNCHDARKLY.wireMock().getAllServeEvents());
        Collections.reverse(served);
        assertThat(served).hasSize(1 + BATCHES);
        assertThat(served.get(0).getResponse().getStatus()).isIn(429, 503);
        long answeredAt = served.get(0).getRequest().getLoggedDate().getTime() + served.get(0).getTiming().getTotalTime();
        long nextRequestAt = served.get(1).getRequest().getLoggedDate().getTime();
        assertThat(nextRequestAt - answeredAt).as("quiet time after the Retry-After").isGreaterThan(waitMillis - 300);
        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(BATCHES).doesNotHaveDuplicates();
        assertThat(metric("launchdarkly.events.delivered", "destination", "default")).isEqualTo(BATCHES);
    }

    @Test
    void a429WithRetryAfterInSecondsClosesTheDestinationForThatLong() {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(429).withHeader("Retry-After", "2"));

        assertNoRequestBeforeTheWaitIsOver(2000);
    }

    @Test
    void a503WithRetryAfterAsAnHttpDateClosesTheDestinationUntilThen() {
        LAUNCHDARKLY.answerFirst(aResponse().withStatus(503).withHeader("Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(3).atZone(ZoneOffset.UTC))));

        assertNoRequestBeforeTheWaitIsOver(1500);
    }
}
