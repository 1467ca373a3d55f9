package io.github.segmentld.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;

/**
 * A page open in headless Chromium, driven over the DevTools protocol, so that a test can run script in it as a user's
 * clicks would: the page's own code then makes its requests, with the headers it sends and the browser adds.
 */
final class DevToolsPage implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");

    private final Process browser;
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private volatile int asked;
    private volatile CompletableFuture<JsonNode> answer;

    private DevToolsPage(Process browser, WebSocket.Builder socket, URI page) {
        this.browser = browser;
        this.socket = socket.buildAsync(page, new Listener()).join();
    }

    /** Opens the address in Chromium (the executable); waits at most the limit for the browser to listen. */
    static DevToolsPage open(String chromium, String address, Duration limit) throws IOException, InterruptedException {
        // under target/ with the other test work folders, not removed here: Chromium's helper processes may still
        // write to it after the browser has exited
        Path profile = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-work")),
                "chromium-profile-");
        Process browser = new ProcessBuilder(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                address)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int port = debuggingPort(browser);
            HttpClient http = HttpClient.newBuilder().connectTimeout(limit).build();
            long deadline = System.nanoTime() + limit.toNanos();
            // the page is listed once Chromium has begun to load the address (before, it shows about:blank)
            while (System.nanoTime() < deadline) {
                JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(limit).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode target : targets) {
                    if (target.path("type").asText().equals("page") && target.path("url").asText().equals(address)) {
                        DevToolsPage page = new DevToolsPage(browser,
                                http.newWebSocketBuilder().connectTimeout(limit),
                                URI.create(target.get("webSocketDebuggerUrl").asText()));
                        page.awaitLoaded(address, deadline);
                        return page;
                    }
                }
                Thread.sleep(50);
            }
            throw new AssertionError("Chromium did not open " + address + " within " + limit);
        } catch (IOException | RuntimeException | Error e) {
            browser.destroyForcibly();
            throw e;
        }
    }

    private static int debuggingPort(Process browser) throws IOException {
        BufferedReader errors = new BufferedReader(new InputStreamReader(browser.getErrorStream(),
                StandardCharsets.UTF_8));
        for (String line = errors.readLine(); line != null; line = errors.readLine()) {
            Matcher listening = LISTENING.matcher(line);
            if (listening.find()) {
                // what Chromium writes next is of no interest, but it must not block on a full pipe
                Thread drainer = new Thread(() -> drain(errors), "chromium-stderr");
                drainer.setDaemon(true);
                drainer.start();
                return Integer.parseInt(listening.group(1));
            }
        }
        throw new AssertionError("Chromium ended without listening for DevTools");
    }

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // discarded
            }
        } catch (IOException ended) {
            // the browser is gone
        }
    }

    /** Waits until the address's document has loaded: a script run before could land in the blank one before it. */
    private void awaitLoaded(String address, long deadline) throws InterruptedException {
        Duration limit = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
        while (System.nanoTime() < deadline) {
            try {
                if (evaluate("document.readyState === 'complete' ? location.href : ''", limit).equals(address)) {
                    return;
                }
            } catch (Exception | AssertionError replaced) {
                // the blank document was replaced while the script ran
            }
            Thread.sleep(50);
        }
        throw new AssertionError("Chromium did not load " + address);
    }

    /** Runs the script (an expression; a promise is awaited) in the page and answers its value as a string. */
    String evaluate(String script, Duration limit) throws Exception {
        // each script its own id, so that the answer to one given up on is not taken for the next one's
        asked++;
        answer = new CompletableFuture<>();
        socket.sendText(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("id", asked)
                .put("method", "Runtime.evaluate").set("params", Json.MAPPER.createObjectNode()
                        .put("expression", script).put("awaitPromise", true).put("returnByValue", true))), true).join();
        JsonNode message = answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (message.has("error")) {
            throw new AssertionError("Chromium could not run the script: " + message.get("error"));
        }
        JsonNode result = message.path("result");
        if (result.has("exceptionDetails")) {
            throw new AssertionError("the script failed in the page: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value").asText();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        socket.abort();
        List<ProcessHandle> helpers = browser.descendants().toList();
        browser.destroy();
        helpers.forEach(ProcessHandle::destroy);
        if (!browser.waitFor(10, TimeUnit.SECONDS)) {
            browser.destroyForcibly();
        }
        for (ProcessHandle helper : helpers) {
            try {
                helper.onExit().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                helper.destroyForcibly();
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = Json.MAPPER.readTree(partial.toString());
                    if (message.path("id").asInt() == asked && answer != null) {
                        answer.complete(message);
                    }
                } catch (IOException unreadable) {
                    answer.completeExceptionally(unreadable);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
