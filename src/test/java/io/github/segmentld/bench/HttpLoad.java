package io.github.segmentld.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The HTTP load of the benchmark, run as a process of its own: batches of 100 Segment events ({@link #bodies}) POSTed by
 * a few concurrent senders for a fixed time, each request's messageIds prefixed with the run's tag and made its own.
 * Prints "requests=N events=M failed=F seconds=S answered=[A0, A1, ...]" (A: the requests of each body answered 200).
 * Usage: {@code HttpLoad <url> <write key> <senders> <seconds> <tag>}.
 */
public final class HttpLoad {

    private static final int EVENTS_PER_BATCH = 100;
    private static final byte[] MESSAGE_ID_PREFIX = "\"msg-".getBytes(StandardCharsets.US_ASCII);

    private HttpLoad() {
    }

    /**
     * The body with the messageIds made unique to request {@code n} of the run tagged {@code tag} ("msg-" becomes
     * "<tag>r<n>-"): the Tracking API accepts a messageId once, so a body sent again would be answered without its
     * events being stored.
     */
    static byte[] withMessageIdsOf(String tag, int n, byte[] body) {
        byte[] from = MESSAGE_ID_PREFIX;
        byte[] to = ("\"" + tag + "r" + Integer.toString(n, 36) + "-").getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length + 100 * to.length);
        int copied = 0;
        for (int i = 0; i <= body.length - from.length; i++) {
            if (body[i] == from[0] && java.util.Arrays.equals(body, i, i + from.length, from, 0, from.length)) {
                out.write(body, copied, i - copied);
                out.write(to, 0, to.length);
                copied = i + from.length;
                i = copied - 1;
            }
        }
        out.write(body, copied, body.length - copied);
        return out.toByteArray();
    }

    /** The bodies the senders take in turn: the same ones on every run. */
    static List<byte[]> bodies() {
        List<byte[]> bodies = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int b = 0; b < 50; b++) {
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < EVENTS_PER_BATCH; i++) {
                batch.append(i == 0 ? "" : ",").append(SyntheticSegmentFile.event(b * EVENTS_PER_BATCH + i, random));
            }
            bodies.add(batch.append("],\"sentAt\":\"2024-05-01T12:00:00.000Z\"}").toString().getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        String authorization = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":").getBytes(StandardCharsets.UTF_8));
        int senders = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        String tag = args[4];
        List<byte[]> bodies = bodies();
        AtomicLongArray answered = new AtomicLongArray(bodies.size());
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        for (int s = 0; s < senders; s++) {
            int sender = s;
            pool.execute(() -> {
                for (int n = sender; System.nanoTime() < deadline; n += senders) {
                    HttpRequest request = HttpRequest.newBuilder(url).header("Authorization", authorization)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(withMessageIdsOf(tag, n, bodies.get(n % bodies.size()))))
                            .build();
                    try {
                        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status == 200) {
                            requests.incrementAndGet();
                            answered.incrementAndGet(n % bodies.size());
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("requests=%d events=%d failed=%d seconds=%.2f answered=%s%n", requests.get(),
                requests.get() * EVENTS_PER_BATCH, failed.get(), elapsed, answered);
    }
}
