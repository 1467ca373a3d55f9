package io.github.segmentld.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests that arrive while the application starts or stops: the server listens before its routes exist and outlives
 * them, but never answers 404 (which Segment's clients do not retry): 503 with Retry-After until the routes are up
 * and from the moment it begins to stop, 200 in between.
 */
class StartAndStopAnswersTest {

    private final TestInbox inbox = TestInbox.create("start-and-stop");
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final int port = Loopback.freePort();
    private Process application;

    @AfterEach
    void stop() {
        if (application != null) {
            application.destroyForcibly();
        }
    }

    /**
     * Sends requests one after the other, and returns the answers (status, and Retry-After when 503), until
     * {@code done} says so or a minute has passed.
     */
    private List<String> answersUntil(Predicate<List<String>> done) throws InterruptedException {
        List<String> answers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.test(answers) && System.nanoTime() < deadline) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/track"))
                    .header("Authorization", HttpSourceTestSupport.basic(HttpSourceTestSupport.WRITE_KEY + ":"))
                    .timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"E\"}")).build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                answers.add(response.statusCode() + (response.statusCode() == 503
                        ? " Retry-After " + response.headers().firstValue("Retry-After").orElse("none") : ""));
            } catch (IOException notListening) {
                Thread.sleep(2);
            }
        }
        return answers;
    }

    @Test
    void requestsDuringStartAndStopAreAnswered503WithRetryAfterNever404() throws Exception {
        Properties settings = inbox.properties("http://127.0.0.1:1", port, HttpSourceTestSupport.WRITE_KEY);
        settings.setProperty("camel.management.enabled", "true");
        settings.setProperty("camel.management.port", Integer.toString(Loopback.freePort()));
        settings.setProperty("spool.retry-after-seconds", "2");
        application = ChildApplication.start(inbox, settings, "application.log");

        List<String> starting = answersUntil(answers -> answers.contains("200"));
        assertThat(starting).allMatch(answer -> answer.equals("503 Retry-After 2") || answer.equals("200"));

        application.destroy();
        List<String> stopping = answersUntil(answers -> !application.isAlive());
        assertThat(application.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stopping).allMatch(answer -> answer.equals("503 Retry-After 2") || answer.equals("200"));
        assertThat(starting).as("the gate was met during start-up").contains("503 Retry-After 2");
    }
}
