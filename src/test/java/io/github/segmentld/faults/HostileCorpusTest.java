package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.segmentld.ChildApplication;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The hostile corpus ({@code src/test/resources/hostile}): requests and files built to break the application, mixed
 * with good events, against one application in a JVM of its own with a small heap. Every request gets its precise
 * answer, every good event reaches LaunchDarkly exactly once, nothing refused or forged does, no secret is written
 * anywhere, and the application is healthy and working at the end.
 */
class HostileCorpusTest extends ChildApplicationTestSupport {

    private static final String KEY = "corpus-write-key-4f1c";
    private static final String OTHER_KEY = "corpus-other-key-9a2e";
    private static final String SECRET = "corpus-webhook-secret";
    private static final String CLIENT_SIDE_ID = "test-client-id";
    private static final Pattern GOOD_USER = Pattern.compile("good-[A-Za-z0-9-]+");
    private static final Path CORPUS = Path.of("src/test/resources/hostile");

    private final TestInbox inbox = TestInbox.create("hostile-corpus");
    private final int port = Loopback.freePort();
    private final int managementPort = Loopback.freePort();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> expectedGood = new TreeSet<>();

    @Test
    void theCorpusLeavesTheApplicationHealthyWithEveryGoodEventDeliveredOnce() throws Exception {
        Properties settings = inbox.properties(launchDarkly.baseUrl(), port, "corpus=" + KEY + ",other=" + OTHER_KEY);
        settings.setProperty("http.webhook-secret", SECRET);
        settings.setProperty("spool.max-segment-age-ms", "200");
        settings.setProperty("camel.management.enabled", "true");
        settings.setProperty("camel.management.port", Integer.toString(managementPort));
        application = ChildApplication.start(inbox, settings, "application.log", "-Xmx128m");
        await().atMost(Duration.ofSeconds(60)).until(() -> health() == 200);

        dropFiles();
        List<String> wrongAnswers = sendRequests();

        assertThat(wrongAnswers).isEmpty();
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(launchDarkly.acceptedUserIds(CLIENT_SIDE_ID)).containsAll(expectedGood);
            assertThat(TestInbox.list(inbox.inbox())).isEmpty();
        });
        Set<String> delivered = launchDarkly.acceptedUserIds(CLIENT_SIDE_ID);
        assertThat(delivered).filteredOn(user -> !user.startsWith("good-")).isEmpty();
        assertThat(delivered).containsExactlyInAnyOrderElementsOf(expectedGood);
        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(inbox.done().resolve("timestamps.ndjson")).exists();
        assertThat(inbox.done().resolve("garbage-lines.ndjson")).exists();
        assertThat(inbox.done().resolve("context-after-batch.json")).exists();
        assertThat(inbox.done().resolve("empty.ndjson")).exists();
        assertThat(inbox.failed().resolve("array-break.json")).exists();
        assertThat(inbox.failed().resolve("array-break.json.reason.txt")).content().contains("line 5");
        assertThat(inbox.failed().resolve("truncated.ndjson.gz.reason.txt")).content().contains("broken off after");
        assertThat(inbox.failed().resolve("linked.ndjson.reason.txt")).content().contains("symbolic link");
        assertThat(inbox.done().resolve("line\nFORGED log line.ndjson")).exists();
        assertThat(Files.readAllLines(inbox.work().resolve("application.log"))).noneMatch(line -> line.startsWith("FORGED"));
        assertNotWrittenAnywhere("evil-linked-secret", inbox.work().resolve("secret.ndjson"));
        assertNoSecretWritten();

        assertThat(application.isAlive()).isTrue();
        assertThat(health()).isEqualTo(200);
        assertThat(send("/v1/track", "key", null, "{\"userId\":\"after-the-corpus\",\"event\":\"E\"}"
                .getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> launchDarkly.accepted(CLIENT_SIDE_ID, "after-the-corpus"));
    }

    /** The corpus files, and those that cannot live in the source tree: binary, links, line breaks in names. */
    private void dropFiles() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS.resolve("files"))) {
            for (Path file : files.sorted().toList()) {
                byte[] content = Files.readAllBytes(file);
                expectGood(new String(content, StandardCharsets.ISO_8859_1));
                inbox.drop(file.getFileName().toString(), content);
            }
        }
        inbox.drop("truncated.ndjson.gz", truncatedGzip());
        inbox.drop("line\nFORGED log line.ndjson", utf8("{\"type\":\"track\",\"userId\":\"good-line-break-name\",\"event\":\"E\"}\n"));
        expectGood("good-line-break-name");
        Path secret = Files.writeString(inbox.work().resolve("secret.ndjson"),
                "{\"type\":\"track\",\"userId\":\"evil-linked-secret\",\"event\":\"E\"}\n");
        Files.createDirectories(inbox.inbox());
        Files.createSymbolicLink(inbox.inbox().resolve("linked.ndjson"), secret);
    }

    /**
     * 2,000 good events, gzipped and cut off in the middle: the good events expected are those of the lines that can
     * still be read whole.
     */
    private byte[] truncatedGzip() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            lines.append("{\"type\":\"track\",\"userId\":\"good-truncated-").append(i).append("\",\"event\":\"E\"}\n");
        }
        byte[] whole = gzip(utf8(lines.toString()));
        byte[] cut = Arrays.copyOf(whole, whole.length * 3 / 5);
        ByteArrayOutputStream readable = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(cut))) {
            in.transferTo(readable);
        } catch (EOFException expected) {
            // what was decompressed before the cut stays in readable
        }
        String text = readable.toString(StandardCharsets.UTF_8);
        expectGood(text.substring(0, text.lastIndexOf('\n') + 1));
        return cut;
    }

    /** Sends every case; returns the cases whose answer was not the one expected. */
    private List<String> sendRequests() throws IOException {
        JsonNode cases = new ObjectMapper(new YAMLFactory()).readTree(CORPUS.resolve("requests.yaml").toFile());
        List<String> wrong = new ArrayList<>();
        for (JsonNode testCase : cases) {
            int repeat = testCase.path("repeat").asInt(1);
            for (int i = 0; i < repeat; i++) {
                byte[] body = testCase.has("generate") ? generate(testCase.get("generate").asText(), i)
                        : testCase.path("body").asText().replace("${key}", KEY).getBytes(StandardCharsets.UTF_8);
                int status = testCase.path("status").asInt();
                if (status == 200) {
                    expectGood(new String(body, StandardCharsets.ISO_8859_1));
                }
                HttpResponse<String> response = send(testCase.path("path").asText(), testCase.path("auth").asText(),
                        testCase.path("contentType").asText(null), body);
                if (response.statusCode() != status) {
                    wrong.add(testCase.path("name").asText() + ": " + response.statusCode() + " " + response.body());
                }
            }
        }
        return wrong;
    }

    private void expectGood(String content) {
        Matcher users = GOOD_USER.matcher(content);
        while (users.find()) {
            expectedGood.add(users.group());
        }
    }

    private HttpResponse<String> send(String path, String auth, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType == null ? "application/json" : contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (body.length > 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b) {
            request.header("Content-Encoding", "gzip");
        }
        switch (auth) {
            case "key" -> request.header("Authorization", basic(KEY));
            case "other-key" -> request.header("Authorization", basic(OTHER_KEY));
            case "wrong-key" -> request.header("Authorization", basic("guessed-key"));
            case "signed" -> request.header("X-Signature", hmac(body));
            case "signed-first" -> request.header("X-Signature", hmac(utf8(Json.parse(new String(body,
                    StandardCharsets.UTF_8)).get(0).toString())));
            case "none" -> { }
            default -> throw new IllegalArgumentException("unknown auth " + auth);
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The bodies whose bytes matter: binary, large, or repeated with a new good event each time. */
    private static byte[] generate(String name, int index) throws IOException {
        return switch (name) {
            case "deep-nesting" -> utf8("{\"userId\":\"bad-deep\",\"event\":\"E\",\"properties\":{\"a\":"
                    + "[".repeat(100) + "]".repeat(100) + "}}");
            case "oversized-event" -> utf8("{\"batch\":[{\"type\":\"track\",\"userId\":\"bad-big\",\"event\":\"E\","
                    + "\"properties\":{\"a\":\"" + "x".repeat(20_000) + "\",\"b\":\"" + "y".repeat(20_000) + "\"}},"
                    + "{\"type\":\"track\",\"userId\":\"good-beside-big\",\"event\":\"E\"}]}");
            case "overlong-utf8" -> {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.writeBytes(utf8("{\"userId\":\"bad-overlong\",\"event\":\"A"));
                body.write(0xC0);
                body.write(0xAF);
                body.writeBytes(utf8("B\"}"));
                yield body.toByteArray();
            }
            case "gzip-bomb" -> gzip(utf8("{\"batch\":[" + " ".repeat(20_000_000) + "]}"));
            case "truncated-gzip" -> {
                byte[] whole = gzip(utf8("{\"batch\":[" + "{\"type\":\"track\",\"userId\":\"bad-truncated\",\"event\":\"E\"},"
                        .repeat(200) + "{}]}"));
                yield Arrays.copyOf(whole, whole.length / 2);
            }
            case "too-many-events" -> utf8("{\"batch\":[" + "{\"type\":\"track\",\"userId\":\"bad-many\",\"event\":\"E\"},"
                    .repeat(2500) + "{\"type\":\"track\",\"userId\":\"bad-many\",\"event\":\"E\"}]}");
            case "long-message-ids" -> {
                StringBuilder batch = new StringBuilder("{\"batch\":[");
                for (int i = 0; i < 14; i++) {
                    batch.append("{\"type\":\"track\",\"userId\":\"bad-long-id\",\"event\":\"E\",\"messageId\":\"")
                            .append(index).append('-').append(i).append("m".repeat(30_000)).append("\"},");
                }
                yield utf8(batch.append("{\"type\":\"track\",\"userId\":\"good-flood-").append(index)
                        .append("\",\"event\":\"E\"}]}").toString());
            }
            default -> throw new IllegalArgumentException("unknown generator " + name);
        };
    }

    /** Neither write key nor webhook secret appears in any file the application wrote, its log included. */
    private void assertNoSecretWritten() throws IOException {
        for (String secret : List.of(KEY, OTHER_KEY, SECRET)) {
            assertNotWrittenAnywhere(secret, null);
        }
    }

    private void assertNotWrittenAnywhere(String text, Path except) throws IOException {
        try (Stream<Path> files = Files.walk(inbox.work())) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && !f.equals(except)).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(text);
            }
        }
    }

    private int health() {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    private static String hmac(byte[] signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(signed));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
