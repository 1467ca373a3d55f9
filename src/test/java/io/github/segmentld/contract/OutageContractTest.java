package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Properties;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * LaunchDarkly unavailable for a while, then back. The input does not wait for it: its batches are parked in the
 * destination's retry queue and the file is committed while LaunchDarkly is still down. The circuit opens after a few
 * failures, so most batches are parked without a request. Once LaunchDarkly is back, the queue drains: every event
 * arrives once, under the payload ID its batch always had, and nothing is dead-lettered.
 */
class OutageContractTest extends ContractTestSupport {

    private static final int EVENTS = 200;
    private static final int BATCHES = EVENTS / 10;

    @Override
    protected void adjust(Properties properties) {
        properties.setProperty("pipeline.chunk-size", "10");
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

        inbox.awaitDone("during-outage.ndjson");
        assertThat(metric("launchdarkly.batches.parked", "destination", "default")).isEqualTo(BATCHES);
        assertThat(LAUNCHDARKLY.accepted()).isEmpty();
        assertThat(LAUNCHDARKLY.requests()).as("the open circuit spares LaunchDarkly most requests").hasSizeLessThan(BATCHES);

        LAUNCHDARKLY.wireMock().removeStub(down);
        await().atMost(Duration.ofSeconds(30)).until(() -> LAUNCHDARKLY.accepted().size() == BATCHES);

        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(EVENTS).doesNotHaveDuplicates();
        assertThat(TestInbox.list(inbox.deadLetters())).isEmpty();
        // counted once LaunchDarkly's answer is back, a moment after the stand-in took the batch
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(metric("launchdarkly.events.drained", "destination", "default")).isEqualTo(EVENTS));
    }

    @Test
    void aServiceOutageDelaysButLosesNothingAndHoldsNothingUp() {
        outage(aResponse().withStatus(503).withBody("Service Unavailable"));
    }

    @Test
    void refusedConnectionsDelayButLoseNothing() {
        outage(aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER));
    }
}
