package io.github.segmentld.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.TestInbox;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The delivery page in a real browser: headless Chromium (installed by {@code scripts/install-test-tools.sh}; the test
 * is skipped with a message where it is not) loads the page with a search in its address, runs its scripts against the
 * application's API, and its rendered page must show the funnel's numbers of what the pipeline did, a chart whose bars
 * add up to them, the error table, and the story of the event searched for. It also saves a screenshot,
 * target/delivery-page.png. And its replay button, clicked in the browser, sends the rejected events again; its event
 * tester's Send button sends the example event and shows LaunchDarkly's answer.
 */
class DeliveryPageBrowserTest extends ContractTestSupport {

    private static final String EVENTS = """
            {"type":"track","messageId":"m-track","userId":"user1234","event":"Order Completed","properties":{"revenue":12}}
            {"type":"track","messageId":"m-track-2","userId":"user5678","event":"Order Completed","properties":{"revenue":3}}
            {"type":"page","messageId":"m-page","userId":"user1234","name":"Home"}
            {"type":"identify","messageId":"m-identify","userId":"user5678","traits":{"plan":"free"}}
            """;
    private static final Duration BROWSER_TIME_LIMIT = Duration.ofSeconds(60);
    /** A bar of the chart: its title's delivered, failed and filtered events. */
    private static final Pattern BUCKET = Pattern.compile("<g class=\"bucket\"[^>]*><title>[^<]* UTC: delivered (\\d+),"
            + " failed (\\d+) \\(retry pending \\d+, dead-lettered \\d+\\), filtered (\\d+)</title>");

    private int port;

    @Override
    protected void adjust(Properties properties) {
        port = serveHttp(properties);
        try {
            properties.setProperty("alerts.file", Files.writeString(inbox.work().resolve("alerts.yaml"), """
                    rules:
                      - {name: default-rate, kind: delivery-rate, destination: default, threshold-percent: 95,
                         min-outcomes: 1}
                    """).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        properties.setProperty("alerts.evaluation-interval-ms", "200");
    }

    private static String chromium() {
        return Stream.of("chromium", "chromium-browser")
                .filter(name -> Stream.of(System.getenv("PATH").split(":"))
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir, name))))
                .findFirst().orElse(null);
    }

    /** Runs headless Chromium with the arguments; returns what it printed. */
    private static String browse(String chromium, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--virtual-time-budget=8000"));
        command.addAll(List.of(arguments));
        Process browser = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = browser.getInputStream().readAllBytes();
        if (!browser.waitFor(BROWSER_TIME_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            browser.destroyForcibly();
            throw new AssertionError("Chromium did not finish within " + BROWSER_TIME_LIMIT);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void thePageShowsTheFunnelTheErrorsAndAnEventsStory() throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "Chromium is not installed (scripts/install-test-tools.sh installs it on Debian):"
                + " the delivery page's browser test is skipped");
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        String payloadId = LAUNCHDARKLY.accepted().keySet().iterator().next();
        String page = "http://127.0.0.1:" + port + "/delivery?messageId=m-track";
        // the log is written within a second of delivery
        await().atMost(Duration.ofSeconds(10)).until(() -> browse(chromium, "--dump-dom", page)
                .contains("default / Track Event: delivered"));

        String dom = browse(chromium, "--dump-dom", page);
        assertThat(cells(dom, "received")).containsExactly("4", "0", "new");
        assertThat(cells(dom, "default / Track Event: delivered")).containsExactly("2", "0", "new");
        assertThat(cells(dom, "filtered: no_matching_mapping")).containsExactly("1", "0", "new");
        assertThat(cells(dom, "default / Alias User: rejected")).containsExactly("1", "0", "new");
        assertThat(dom).contains("<td>validation</td>", "The root value is missing the required field 'previous_key'.");
        assertThat(cells(dom, "retry queue of default")).containsExactly("0", "0", "0", "");
        assertThat(cells(dom, "dead letters (dead-letter/)")).containsExactly("0", "", "0", "");
        assertThat(cells(dom, "default-rate")).containsExactly("ok",
                "destination default delivered 100% of 2 events over the last 15m (threshold 95%)", "", "");
        assertThat(dom).contains("Story of m-track", "in batch " + payloadId, "request ", ": 202 in ");
        assertThat(dom).contains("\"key\": \"Order Completed\"").doesNotContain("m-track-2</td>");

        // the chart: a bar per hour of the 24 hours, whose titles add up to what the pipeline did
        assertThat(dom).contains("<title id=\"timeline-title\">Delivered, failed and filtered events per hour</title>",
                "<desc id=\"timeline-desc\">");
        Matcher bar = BUCKET.matcher(dom);
        long bars = 0;
        long[] counted = new long[3];
        while (bar.find()) {
            bars++;
            for (int i = 0; i < counted.length; i++) {
                counted[i] += Long.parseLong(bar.group(i + 1));
            }
        }
        assertThat(bars).isBetween(24L, 25L);
        long delivered = LAUNCHDARKLY.accepted().values().stream().mapToLong(JsonNode::size).sum();
        assertThat(counted).containsExactly(delivered, (long) total("launchdarkly.events.failed"),
                (long) total("segment.events.filtered"));
        assertThat(counted).containsExactly(2, 0, 1);
        assertThat(dom).contains("Service latency: from when the service read the event to LaunchDarkly's answer",
                "Events' age: from the event's own receivedAt to LaunchDarkly's answer");

        Path screenshot = Path.of("target", "delivery-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        browse(chromium, "--screenshot=" + screenshot, "--window-size=1200,1500", page);
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }

    /** The sum of a counter of the application's metrics over all its tags. */
    private double total(String name) {
        return context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class).find(name).counters()
                .stream().mapToDouble(Counter::count).sum();
    }

    /** The cells after the first one of the row that starts with the stage. */
    private static List<String> cells(String dom, String stage) {
        int start = dom.indexOf("<tr><td>" + stage + "</td>");
        assertThat(start).as("a row for " + stage).isNotNegative();
        String row = dom.substring(start + ("<tr><td>" + stage + "</td>").length(), dom.indexOf("</tr>", start));
        List<String> cells = new ArrayList<>();
        for (String cell : row.split("</td>")) {
            if (!cell.isBlank()) {
                cells.add(cell.replaceAll("<td[^>]*>", ""));
            }
        }
        return cells;
    }

    @Test
    void thePagesReplayButtonSendsTheRejectedEventsAgain() throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "Chromium is not installed (scripts/install-test-tools.sh installs it on Debian):"
                + " the delivery page's browser test is skipped");
        inbox.drop("events.ndjson", EVENTS);
        inbox.awaitDone("events.ndjson");
        HttpClient http = HttpClient.newHttpClient();
        URI identify = URI.create("http://127.0.0.1:" + port + "/delivery/api/events?messageId=m-identify");
        // the log is written within a second of the rejection
        await().atMost(Duration.ofSeconds(10)).until(() -> http.send(HttpRequest.newBuilder(identify).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"outcome\":\"rejected\""));

        try (DevToolsPage page = DevToolsPage.open(chromium, "http://127.0.0.1:" + port + "/delivery",
                BROWSER_TIME_LIMIT)) {
            // the operator picks rejected events, clicks, and confirms the count the page shows
            String shown = page.evaluate("""
                    (async () => {
                      while (!document.getElementById("replay") || document.readyState !== "complete")
                        await new Promise(r => setTimeout(r, 50));
                      let asked = null;
                      window.confirm = question => { asked = question; return true; };
                      document.querySelector("#replay [name=kind]").value = "rejected";
                      document.getElementById("replay").requestSubmit();
                      const replayed = document.getElementById("replayed");
                      while (!replayed.textContent) await new Promise(r => setTimeout(r, 50));
                      return asked + " | " + replayed.textContent;
                    })()""", BROWSER_TIME_LIMIT);
            assertThat(shown).isEqualTo("Send 1 rejected events through the pipeline again? | 1 rejected events sent"
                    + " back into the inbox");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> TestInbox.list(inbox.done()).size() == 2);
        Path replayed = TestInbox.list(inbox.done()).stream()
                .filter(file -> !file.getFileName().toString().equals("events.ndjson")).findFirst().orElseThrow();
        assertThat(Files.readString(replayed)).contains("\"messageId\":\"m-identify\"").doesNotContain("m-track");
    }

    @Test
    void thePagesEventTesterSendsTheExampleEventAndShowsTheAnswer() throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "Chromium is not installed (scripts/install-test-tools.sh installs it on Debian):"
                + " the delivery page's browser test is skipped");
        try (DevToolsPage page = DevToolsPage.open(chromium, "http://127.0.0.1:" + port + "/delivery",
                BROWSER_TIME_LIMIT)) {
            String shown = page.evaluate("""
                    (async () => {
                      const select = () => document.getElementById("tester-destination");
                      while (document.readyState !== "complete" || !select() || !select().options.length)
                        await new Promise(r => setTimeout(r, 50));
                      document.getElementById("tester").requestSubmit();
                      const status = document.getElementById("tested");
                      while (!status.textContent || status.textContent === "sending…")
                        await new Promise(r => setTimeout(r, 50));
                      return select().value + " | " + status.textContent + " | "
                        + document.getElementById("tester-answer").textContent;
                    })()""", BROWSER_TIME_LIMIT);
            assertThat(LAUNCHDARKLY.requests()).hasSize(1);
            String payloadId = LaunchDarklyStandInServer.payloadId(LAUNCHDARKLY.requests().get(0));
            assertThat(shown).startsWith("default | LaunchDarkly answered 202 in ")
                    .contains(" ms, payload ID " + payloadId + " | Request", "\"key\": \"Order Completed\"");
        }
        assertThat(TestInbox.list(inbox.done())).isEmpty();
    }
}
