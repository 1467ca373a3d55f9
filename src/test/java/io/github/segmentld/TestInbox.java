package io.github.segmentld;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The work folders of an application under test, and the settings that point the application at them: a fast
 * polling inbox, short redelivery delays, and no HTTP or management server (tests pick what they need).
 */
public record TestInbox(Path work) {

    /** A new work folder under target/, removed by {@code mvn clean}. */
    public static TestInbox create(String prefix) {
        try {
            Path parent = Files.createDirectories(Path.of("target", "test-work"));
            return new TestInbox(Files.createTempDirectory(parent, prefix + "-").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text, gzipped. */
    public static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Track events of users u{@code from} to u{@code to}, one NDJSON line each, with a fixed timestamp. */
    public static String trackLines(int from, int to) {
        StringBuilder lines = new StringBuilder();
        for (int n = from; n <= to; n++) {
            lines.append("{\"type\":\"track\",\"userId\":\"u").append(n)
                    .append("\",\"event\":\"E\",\"timestamp\":\"2024-01-01T00:00:00Z\"}\n");
        }
        return lines.toString();
    }

    public Path inbox() {
        return work.resolve("inbox");
    }

    public Path done() {
        return work.resolve("done");
    }

    public Path failed() {
        return work.resolve("failed");
    }

    public Path deadLetters() {
        return work.resolve("dead-letter");
    }

    public Path rejected() {
        return work.resolve("rejected");
    }

    public Properties properties(String eventsBaseUrl) {
        Properties p = new Properties();
        p.setProperty("inbox.dir", inbox().toString());
        p.setProperty("inbox.poll-delay-ms", "100");
        p.setProperty("inbox.stable-for-ms", "100");
        p.setProperty("inbox.retry-initial-delay-ms", "100");
        p.setProperty("inbox.retry-max-delay-ms", "1000");
        p.setProperty("store.dead-letter-dir", deadLetters().toString());
        p.setProperty("store.rejected-dir", rejected().toString());
        p.setProperty("store.ledger-file", work.resolve("state/delivery.db").toString());
        p.setProperty("delivery-log.file", work.resolve("state/delivery-log.db").toString());
        p.setProperty("launchdarkly.stand-in.record-file", work.resolve("stand-in/received.ndjson").toString());
        p.setProperty("launchdarkly.client-side-id", "test-client-id");
        p.setProperty("launchdarkly.events-base-url", eventsBaseUrl);
        p.setProperty("launchdarkly.delivery.inline-redeliveries", "2");
        p.setProperty("launchdarkly.delivery.initial-delay-ms", "50");
        p.setProperty("launchdarkly.delivery.max-delay-ms", "200");
        p.setProperty("launchdarkly.circuit.open-ms", "500");
        p.setProperty("retry-queue.poll-interval-ms", "100");
        p.setProperty("spool.dir", work.resolve("spool").toString());
        p.setProperty("http.enabled", "false");
        p.setProperty("camel.server.enabled", "false");
        p.setProperty("camel.management.enabled", "false");
        p.setProperty("camel.metrics.enabled", "false");
        p.setProperty("camel.main.shutdown-timeout", "5");
        // several applications share a test JVM: a fatal error there is reported, not acted on by exiting
        p.setProperty("watchdog.exit-on-fatal", "false");
        return p;
    }

    /** The settings with the Tracking API served on 127.0.0.1 and {@code port}, for one write key. */
    public Properties properties(String eventsBaseUrl, int port, String writeKey) {
        Properties p = properties(eventsBaseUrl);
        p.setProperty("http.enabled", "true");
        p.setProperty("camel.server.enabled", "true");
        p.setProperty("camel.server.port", Integer.toString(port));
        p.setProperty("http.write-keys", writeKey);
        return p;
    }

    /** Writes a mappings file into the work folder and returns its path. */
    public Path mappingsFile(String yaml) {
        try {
            return Files.writeString(work.resolve("mappings.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two destination instances with the presets, production (prod-id) and staging (staging-id), both at the URL. */
    public Path twoDestinations(String eventsBaseUrl) {
        return mappingsFile("""
                destinations:
                  - name: production
                    client-side-id: prod-id
                    events-base-url: %s
                  - name: staging
                    client-side-id: staging-id
                    events-base-url: %s
                """.formatted(eventsBaseUrl, eventsBaseUrl));
    }

    /** Drops a file the way a careful writer does: written under a hidden name, then renamed into place. */
    public Path drop(String name, String content) {
        return drop(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public Path drop(String name, byte[] content) {
        try {
            Files.createDirectories(inbox());
            Path hidden = inbox().resolve("." + name + ".writing");
            Files.write(hidden, content);
            return Files.move(hidden, inbox().resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves a file written elsewhere in the work folder into the inbox, at once. */
    public Path drop(Path written) {
        try {
            Files.createDirectories(inbox());
            return Files.move(written, inbox().resolve(written.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the named file has been committed to the done folder. */
    public Path awaitDone(String name) {
        Path done = done().resolve(name);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(done) && !Files.exists(inbox().resolve(name)));
        return done;
    }

    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
