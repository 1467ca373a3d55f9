package io.github.segmentld.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzipped NDJSON file of Segment events shaped like real traffic (as Segment's S3 destination writes them):
 * about 60% track, 15% identify, 15% page, 5% alias and 5% screen or group, each with a full context object.
 */
final class SyntheticSegmentFile {

    private static final String[] EVENTS = {"Order Completed", "Product Viewed", "Signup Started", "Checkout Started",
            "Experiment Viewed", "Cart Updated"};

    private SyntheticSegmentFile() {
    }

    /** Returns the size of the JSON before compression. */
    static long write(Path file, int events, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        Files.createDirectories(file.toAbsolutePath().getParent());
        long bytes = 0;
        try (OutputStream out = new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(file), 1 << 16), 1 << 16)) {
            for (int i = 0; i < events; i++) {
                byte[] line = event(i, random).getBytes(StandardCharsets.UTF_8);
                out.write(line);
                out.write('\n');
                bytes += line.length + 1;
            }
        }
        return bytes;
    }

    static String event(int i, SplittableRandom random) {
        int pick = random.nextInt(100);
        String anonymousId = "anon-" + Long.toHexString(random.nextLong());
        // Anonymous visitors have no userId; identify and alias calls always do.
        String userId = pick < 60 && random.nextInt(4) == 0 || pick >= 75 && pick < 90 && random.nextInt(2) == 0
                ? null : "user-" + random.nextInt(1_000_000);
        String common = "\"messageId\":\"msg-" + i + "\",\"anonymousId\":\"" + anonymousId + "\""
                + (userId == null ? "" : ",\"userId\":\"" + userId + "\"")
                + ",\"timestamp\":\"2024-05-0" + (1 + random.nextInt(9)) + "T1" + random.nextInt(10) + ":2"
                + random.nextInt(10) + ":3" + random.nextInt(10) + "." + (100 + random.nextInt(900)) + "Z\""
                + ",\"receivedAt\":\"2024-05-01T12:00:00.000Z\",\"sentAt\":\"2024-05-01T12:00:00.000Z\""
                + ",\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"4.1.0\"},\"ip\":\"203.0.113."
                + random.nextInt(255) + "\",\"locale\":\"en-US\",\"userAgent\":\"Mozilla/5.0 (Macintosh; Intel Mac OS X "
                + "10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\",\"page\":{\"path\":"
                + "\"/pricing\",\"referrer\":\"https://www.example.com/\",\"title\":\"Pricing\",\"url\":"
                + "\"https://www.example.com/pricing\"}},\"integrations\":{},\"version\":2";
        if (pick < 60) {
            String metric = switch (random.nextInt(3)) {
                case 0 -> "\"revenue\":" + random.nextInt(500) + "." + random.nextInt(100) + ",";
                case 1 -> "\"value\":\"" + random.nextInt(50) + "\",";
                default -> "";
            };
            return "{\"type\":\"track\",\"event\":\"" + EVENTS[random.nextInt(EVENTS.length)] + "\",\"properties\":{"
                    + metric + "\"currency\":\"USD\",\"sku\":\"SKU-" + random.nextInt(10_000) + "\",\"quantity\":"
                    + (1 + random.nextInt(5)) + "}," + common + "}";
        }
        if (pick < 75) {
            return "{\"type\":\"identify\",\"traits\":{\"plan\":\"pro\",\"email\":\"someone" + i
                    + "@example.com\",\"company\":\"Acme\"}," + common + "}";
        }
        if (pick < 90) {
            return "{\"type\":\"page\",\"name\":\"Pricing\",\"properties\":{\"path\":\"/pricing\"}," + common + "}";
        }
        if (pick < 95) {
            return "{\"type\":\"alias\",\"previousId\":\"" + anonymousId + "\"," + common + "}";
        }
        return random.nextBoolean()
                ? "{\"type\":\"screen\",\"name\":\"Home\"," + common + "}"
                : "{\"type\":\"group\",\"groupId\":\"org-" + random.nextInt(1000) + "\",\"traits\":{}," + common + "}";
    }
}
