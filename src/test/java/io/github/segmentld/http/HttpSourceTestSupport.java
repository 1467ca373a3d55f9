package io.github.segmentld.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Application;
import io.github.segmentld.Json;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/** The application with its HTTP sources on a free port of 127.0.0.1; events stay in the spool unless a test rolls it. */
abstract class HttpSourceTestSupport extends CamelMainTestSupport {

    static final String WRITE_KEY = "test-write-key";
    static final String WEBHOOK_SECRET = "test-webhook-secret";

    private final HttpClient client = HttpClient.newHttpClient();
    // Set while the superclass constructor configures the context, so no field initialiser may reset them.
    protected TestInbox inbox;
    protected int port;

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    /** Settings a test class changes on top of the defaults. */
    protected void adjust(Properties properties) {
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        inbox = TestInbox.create(getClass().getSimpleName());
        port = Loopback.freePort();
        Properties p = inbox.properties("http://127.0.0.1:1", port, "web=" + WRITE_KEY + ",backend=other-key");
        p.setProperty("http.webhook-secret", WEBHOOK_SECRET);
        p.setProperty("spool.max-segment-age-ms", "600000");
        adjust(p);
        context.withUseOverridePropertiesWithPropertiesComponent(p);
    }

    /** Segment's X-Signature of the signed text. */
    static String signature(String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> postWebhook(String body, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return post("/webhooks/segment", body.getBytes(StandardCharsets.UTF_8), all);
    }

    static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString(user.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> post(String path, String json) {
        return post(path, json.getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json", "Authorization", basic(WRITE_KEY + ":")));
    }

    /** The events in the spool's current segment, as accepted (each line is a request's batch, naming its sender). */
    List<JsonNode> spooled() {
        List<JsonNode> events = new ArrayList<>();
        for (Path segment : TestInbox.list(inbox.work().resolve("spool"))) {
            try {
                for (String line : Files.readAllLines(segment)) {
                    Json.MAPPER.readTree(line).path("batch").forEach(events::add);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }
}
