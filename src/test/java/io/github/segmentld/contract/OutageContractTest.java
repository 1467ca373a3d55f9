package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.github.segmentld.Json;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/** LaunchDarkly unavailable for a while, then back: every event arrives once it is, and nothing is dead-lettered. */
class OutageContractTest extends ContractTestSupport {

    private static final int EVENTS = 200;
    private static final int FAILED_REQUESTS = 40;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("pipeline.chunk-size", "10");
        properties.setProperty("launchdarkly.delivery.max-redeliveries", "1000");
        properties.setProperty("launchdarkly.delivery.initial-delay-ms", "20");
        properties.setProperty("launchdarkly.delivery.max-delay-ms", "100");
    }

    private void outage(ResponseDefinitionBuilder answer) {
        StubMapping down = LAUNCHDARKLY.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1).willReturn(answer));
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"user-").append(i).append("\",\"event\":\"E\",\"timestamp\":0}\n");
        }
        inbox.drop("during-outage.ndjson", events.toString());

        await().atMost(Duration.ofSeconds(30)).until(() -> LAUNCHDARKLY.requests().size() >= FAILED_REQUESTS);
        assertThat(TestInbox.list(inbox.done())).as("nothing committed while LaunchDarkly is down").isEmpty();
        LAUNCHDARKLY.wireMock().removeStub(down);
        inbox.awaitDone("during-outage.ndjson");

        Set<String> acceptedPayloads = new HashSet<>();
        List<String> users = new ArrayList<>();
        for (ServeEvent served : LAUNCHDARKLY.wireMock().getAllServeEvents()) {
            if (served.getResponse().getStatus() == 202
                    && acceptedPayloads.add(served.getRequest().getHeader("X-LaunchDarkly-Payload-ID"))) {
                Json.parse(served.getRequest().getBodyAsString())
                        .forEach(event -> users.add(event.path("contextKeys").path("user").asText()));
            }
        }
        assertThat(acceptedPayloads).hasSize(EVENTS / 10);
        assertThat(users).hasSize(EVENTS).doesNotHaveDuplicates();
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
        assertThat(metric("launchdarkly.batches.retried", "destination", "default")).isGreaterThanOrEqualTo(FAILED_REQUESTS - 4);
    }

    @Test
    void aServiceOutageDelaysButLosesNothing() {
        outage(aResponse().withStatus(503).withBody("Service Unavailable"));
    }

    @Test
    void a429StormWithRetryAfterLosesNothing() {
        outage(aResponse().withStatus(429).withHeader("Retry-After", "0"));
    }
}
