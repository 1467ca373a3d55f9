package io.github.segmentld.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.BULK_PATH;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.body;
import static io.github.segmentld.contract.LaunchDarklyStandInServer.payloadId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 in the middle of a file: the file stays in the inbox, and the next start finishes it. Every event reaches
 * LaunchDarkly, and every batch keeps its payload ID across the restart, so LaunchDarkly's de-duplication sees each
 * batch once even when one was in flight at the moment of the kill.
 */
class CrashRecoveryTest {

    private static final int EVENTS = 600;
    private static final int CHUNK = 10;

    private final LaunchDarklyStandInServer launchDarkly = new LaunchDarklyStandInServer();
    private final TestInbox inbox = TestInbox.create("crash-recovery");
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() {
        processes.forEach(Process::destroyForcibly);
        launchDarkly.stop();
    }

    private Process startApplication(String logName) {
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("pipeline.chunk-size", Integer.toString(CHUNK));
        settings.setProperty("pipeline.concurrency", "2");
        Process process = ChildApplication.start(inbox, settings, logName);
        processes.add(process);
        return process;
    }

    @Test
    void aFileInterruptedByKill9IsFinishedAfterRestartWithoutLoss() throws Exception {
        launchDarkly.wireMock().stubFor(post(urlPathMatching(BULK_PATH)).atPriority(1)
                .willReturn(aResponse().withStatus(202).withFixedDelay(100)));
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < EVENTS; i++) {
            events.append("{\"type\":\"track\",\"userId\":\"user-").append(i).append("\",\"event\":\"Purchase\"}\n");
        }
        inbox.drop("big.ndjson", events.toString());

        Process first = startApplication("first-run.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.requests().size() >= 15);
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        int requestsBeforeKill = launchDarkly.requests().size();
        assertThat(Files.exists(inbox.inbox().resolve("big.ndjson"))).as("not committed before the kill").isTrue();
        assertThat(requestsBeforeKill).isLessThan(EVENTS / CHUNK);

        Process second = startApplication("second-run.log");
        inbox.awaitDone("big.ndjson");
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);

        Map<String, JsonNode> batches = new HashMap<>();
        for (LoggedRequest request : launchDarkly.requests()) {
            JsonNode previous = batches.putIfAbsent(payloadId(request), body(request));
            if (previous != null) {
                assertThat(body(request)).as("a resent batch is the same batch").isEqualTo(previous);
            }
        }
        assertThat(batches).hasSize(EVENTS / CHUNK);
        List<String> users = new ArrayList<>();
        batches.values().forEach(batch -> batch.forEach(e -> users.add(e.path("contextKeys").path("user").asText())));
        assertThat(users).hasSize(EVENTS).doesNotHaveDuplicates();
        // Batches delivered before the kill are remembered, so the restart resends at most those in flight.
        assertThat(launchDarkly.requests().size()).isLessThan(EVENTS / CHUNK + 4);
    }
}
