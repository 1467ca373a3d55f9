package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the HTTP source, with senders that retry as Segment's clients do (a request without an answer, or with a
 * 5xx, is sent again with the same messageIds): every acknowledged event is delivered, and none twice, even when the
 * events were synced but the answer never left.
 */
class HttpKillTest {

    private static final String WRITE_KEY = "kill-test-key";

    private final CountingStandIn launchDarkly = new CountingStandIn();
    private final TestInbox inbox = TestInbox.create("http-kill");
    private final int port = Loopback.freePort();
    private final RetryingSender sender = new RetryingSender(port, WRITE_KEY);
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            ChildApplication.kill(process);
        }
        launchDarkly.close();
    }

    private Process start(String log, String spoolAgeMillis) {
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("http.enabled", "true");
        settings.setProperty("camel.server.enabled", "true");
        settings.setProperty("camel.server.port", Integer.toString(port));
        settings.setProperty("http.write-keys", WRITE_KEY);
        settings.setProperty("spool.max-segment-age-ms", spoolAgeMillis);
        settings.setProperty("spool.retry-after-seconds", "1");
        Process process = ChildApplication.start(inbox, settings, log);
        processes.add(process);
        return process;
    }

    @Test
    void aRequestSyncedButNeverAnsweredIsNotAcceptedAgainWhenItsClientRetriesAfterTheRestart() throws Exception {
        Process first = start("first.log", "600000");
        sender.sendUntilAcknowledged(RetryingSender.batch("warm-up", 1, 0));
        String request = RetryingSender.batch("unanswered", 50, 0);

        // Sent, never read: the answer is written to a socket nobody reads, and the process dies.
        byte[] body = request.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: "
                    + sender.basicAuthorization() + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> spooled().contains("unanswered-49"));
            ChildApplication.kill(first);
        }

        start("second.log", "200");
        sender.sendUntilAcknowledged(request);

        await().atMost(Duration.ofSeconds(30)).until(() -> launchDarkly.acceptedUsers("test-client-id") == 51);
        Thread.sleep(1000);
        assertThat(launchDarkly.acceptedUsers("test-client-id")).isEqualTo(51);
        assertThat(launchDarkly.doubled()).isEmpty();
    }

    @Test
    void retryingSendersAcrossRepeatedKill9LoseNothingAndDoubleNothing() throws Exception {
        start("run-0.log", "200");
        int senders = 8;
        int requestsEach = 60;
        int eventsEach = 20;
        AtomicInteger retried = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            String prefix = "s" + s + "r";
            sending.add(pool.submit(() -> {
                for (int r = 0; r < requestsEach; r++) {
                    if (sender.sendUntilAcknowledged(RetryingSender.batch(prefix + r, eventsEach, 0)) > 1) {
                        retried.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (int kill = 1; kill <= 3; kill++) {
            Thread.sleep(1500);
            ChildApplication.kill(processes.get(processes.size() - 1));
            start("run-" + kill + ".log", "200");
        }
        for (Future<?> requests : sending) {
            requests.get(180, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int events = senders * requestsEach * eventsEach;
        await().atMost(Duration.ofSeconds(60)).until(() -> launchDarkly.acceptedUsers("test-client-id") == events);
        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(retried.get()).as("the kills cut requests off").isPositive();
    }

    private String spooled() throws IOException {
        StringBuilder all = new StringBuilder();
        for (Path segment : TestInbox.list(inbox.work().resolve("spool"))) {
            all.append(Files.readString(segment));
        }
        return all.toString();
    }
}
