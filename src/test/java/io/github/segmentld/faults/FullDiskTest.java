package io.github.segmentld.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
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

import io.github.segmentld.ChildApplication;
import io.github.segmentld.CountingStandIn;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole work folder on a 24 MB file system that fills up (something else takes all its space) while senders keep
 * posting and the pipeline keeps delivering. The spool's writes and the state database's commits fail: a request
 * whose events cannot be written is answered 503 with Retry-After, never 200, and an input whose outcomes cannot be
 * recorded stays in the inbox. When the space returns, everything recovers by itself: in the end every acknowledged
 * event is delivered, and none twice. The file system is a tmpfs mounted for the test, which needs root; without it the test
 * is skipped (the spool's unit tests inject the same write and sync failures).
 */
class FullDiskTest {

    private static final String WRITE_KEY = "full-disk-key";

    private final CountingStandIn launchDarkly = new CountingStandIn();
    private final TestInbox inbox = TestInbox.create("full-disk");
    private final int port = Loopback.freePort();
    private final RetryingSender sender = new RetryingSender(port, WRITE_KEY);
    private final Path disk = inbox.work().resolve("disk");
    private Process application;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Files.createDirectories(disk);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0,
                "a tmpfs can be mounted (root)");
    }

    @AfterEach
    void stop() throws Exception {
        if (application != null) {
            ChildApplication.kill(application);
        }
        launchDarkly.close();
        new ProcessBuilder("umount", "-l", disk.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aFullDiskIsAnswered503AndNothingAcknowledgedIsLostOrDoubled() throws Exception {
        Properties settings = inbox.properties(launchDarkly.baseUrl(), port, WRITE_KEY);
        settings.setProperty("inbox.dir", disk.resolve("inbox").toString());
        settings.setProperty("spool.dir", disk.resolve("spool").toString());
        settings.setProperty("store.ledger-file", disk.resolve("state/delivery.db").toString());
        settings.setProperty("store.dead-letter-dir", disk.resolve("dead-letter").toString());
        settings.setProperty("store.rejected-dir", disk.resolve("rejected").toString());
        settings.setProperty("spool.max-segment-age-ms", "200");
        settings.setProperty("spool.retry-after-seconds", "1");
        // No guard: the writes themselves run into the full disk.
        settings.setProperty("spool.min-free-bytes", "0");
        application = ChildApplication.start(inbox, settings, "application.log");
        sender.sendUntilAcknowledged(RetryingSender.batch("warm-up", 1, 200));

        // Something else takes all the disk's space while the senders go on, then gives it back.
        Path ballast = disk.resolve("ballast");
        fill(ballast);
        int senders = 4;
        int requestsEach = 60;
        int eventsEach = 100;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            String prefix = "s" + s + "r";
            sending.add(pool.submit(() -> {
                for (int r = 0; r < requestsEach; r++) {
                    sender.sendUntilAcknowledged(RetryingSender.batch(prefix + r, eventsEach, 200));
                }
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sender.refused() >= 20);
        Files.delete(ballast);
        for (Future<?> requests : sending) {
            requests.get(240, TimeUnit.SECONDS);
        }
        pool.shutdown();

        int events = senders * requestsEach * eventsEach + 1;
        await().atMost(Duration.ofSeconds(120)).until(() -> launchDarkly.acceptedUsers("test-client-id") == events);
        assertThat(launchDarkly.doubled()).isEmpty();
        assertThat(application.isAlive()).isTrue();
    }

    /** Writes a file that takes all the free space. */
    private static void fill(Path ballast) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(ballast)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the disk is full
        }
    }
}
