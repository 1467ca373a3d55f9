package io.github.segmentld.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.Json;
import io.github.segmentld.MutableClock;
import io.github.segmentld.TestInbox;
import io.github.segmentld.model.Rejection;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private final List<FailingChannel> channels = new ArrayList<>();
    private final List<Rejection> refusals = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Spool spool(long maxSegmentBytes) {
        return spool(maxSegmentBytes, 0);
    }

    private Spool.Settings settings(long maxSegmentBytes, long minFreeBytes) {
        return new Spool.Settings(dir.resolve("spool"), dir.resolve("inbox"), dir.resolve("done"),
                maxSegmentBytes, 600_000, Long.MAX_VALUE, minFreeBytes, 30, 1000, 1 << 20);
    }

    private Spool spool(long maxSegmentBytes, long minFreeBytes) {
        return new Spool(settings(maxSegmentBytes, minFreeBytes), path -> {
            FailingChannel channel = new FailingChannel(
                    FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            channels.add(channel);
            return channel;
        }, refusals::addAll, new PipelineMetrics(registry), Clock.systemUTC());
    }

    private List<JsonNode> inboxEvents() throws IOException {
        return eventsIn(dir.resolve("inbox"));
    }

    private static List<JsonNode> eventsIn(Path folder) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (Path file : TestInbox.list(folder)) {
            for (String line : Files.readAllLines(file)) {
                JsonNode request = Json.MAPPER.readTree(line);
                assertThat(request.path("source").isTextual()).as("each line names its sender").isTrue();
                request.path("batch").forEach(events::add);
            }
        }
        return events;
    }

    private static List<String> ids(List<JsonNode> events) {
        return events.stream().map(e -> e.path("messageId").asText()).toList();
    }

    private static AcceptedEvents events(String source, String... ids) {
        List<AcceptedEvents.Event> events = new ArrayList<>();
        for (String id : ids) {
            events.add(new AcceptedEvents.Event(id, "track", "user-1",
                    ("{\"type\":\"track\",\"messageId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return new AcceptedEvents(source, events, List.of());
    }

    private double duplicates() {
        var counter = registry.find("segment.events.filtered").tag("reason", "duplicate_message_id").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void concurrentAppendsAllLandWholeAndAStopRollsTheSegmentIntoTheInbox() throws Exception {
        Spool spool = spool(Long.MAX_VALUE);
        spool.start();
        ExecutorService senders = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int sender = t;
            done.add(senders.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    spool.append(events("web", "s" + sender + "-" + i + "-a", "s" + sender + "-" + i + "-b"));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        senders.shutdown();
        assertThat(TestInbox.list(dir.resolve("inbox"))).isEmpty();

        spool.stop();

        assertThat(ids(inboxEvents())).hasSize(800).doesNotHaveDuplicates().allMatch(id -> id.matches("s\\d-\\d+-[ab]"));
        assertThat(TestInbox.lines(TestInbox.list(dir.resolve("inbox")).get(0))).hasSize(400);
        assertThat(TestInbox.list(dir.resolve("spool"))).isEmpty();
    }

    @Test
    void aNewSegmentsFolderIsSyncedAfterItsFirstLineAndBeforeTheAnswerAndARolledSegmentGoesThroughTheDurableMove()
            throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        SegmentFiles recording = new SegmentFiles() {
            @Override
            public FileChannel create(Path path) throws IOException {
                steps.add("create " + dir.relativize(path).getParent());
                FailingChannel channel = new FailingChannel(
                        FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
                channel.onForce(() -> steps.add("force segment"));
                return channel;
            }

            @Override
            public void syncDirectory(Path folder) throws IOException {
                steps.add("sync folder " + dir.relativize(folder));
                SegmentFiles.super.syncDirectory(folder);
            }

            @Override
            public void move(Path segment, Path target) throws IOException {
                steps.add("move into " + dir.relativize(target).getParent());
                SegmentFiles.super.move(segment, target);
            }
        };
        Spool spool = new Spool(settings(Long.MAX_VALUE, 0), recording, refusals::addAll, new PipelineMetrics(registry),
                Clock.systemUTC());
        spool.start();

        spool.append(events("web", "first"));
        steps.add("answer");
        spool.append(events("web", "second"));
        steps.add("answer");
        spool.stop();

        assertThat(steps).containsExactly("create spool", "force segment", "sync folder spool", "answer",
                "force segment", "answer", "force segment", "move into inbox");
        assertThat(ids(inboxEvents())).containsExactly("first", "second");
    }

    @Test
    void aSegmentsAgeIsMeasuredOnTheMonotonicTickerSoAClockSteppedByNtpNeitherRollsItEarlyNorHoldsItBack()
            throws Exception {
        MutableClock wall = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        Spool spool = new Spool(settings(Long.MAX_VALUE, 0), SegmentFiles.onDisk(), refusals::addAll,
                new PipelineMetrics(registry), wall);
        spool.start();
        spool.append(events("web", "young"));

        wall.advance(Duration.ofHours(1));
        spool.rollIfOld();
        assertThat(TestInbox.list(dir.resolve("inbox"))).as("a clock stepped forward rolls nothing").isEmpty();
        spool.stop();

        AtomicLong ticker = new AtomicLong();
        Spool ticking = new Spool(settings(Long.MAX_VALUE, 0), SegmentFiles.onDisk(), refusals::addAll,
                new PipelineMetrics(registry), wall, ticker::get);
        ticking.start();
        ticking.append(events("web", "old"));
        wall.advance(Duration.ofHours(-2));
        ticker.addAndGet(Duration.ofMillis(600_000).toNanos());
        ticking.rollIfOld();
        assertThat(ids(eventsIn(dir.resolve("inbox")))).as("a clock stepped back holds nothing back")
                .containsExactly("young", "old");
        ticking.stop();
    }

    @Test
    void aFullSegmentRollsIntoTheInbox() throws Exception {
        Spool spool = spool(100);
        spool.start();

        spool.append(events("web", "one", "two", "three", "four"));
        spool.append(events("web", "five"));

        assertThat(TestInbox.list(dir.resolve("inbox"))).hasSize(1);
        assertThat(inboxEvents()).hasSize(4);
        spool.stop();
        assertThat(ids(inboxEvents())).containsExactly("one", "two", "three", "four", "five");
    }

    @Test
    void aMessageIdIsAcceptedOncePerSource() throws Exception {
        Spool spool = spool(Long.MAX_VALUE);
        spool.start();

        spool.append(events("web", "m1", "m2"));
        spool.append(events("web", "m2", "m3", "m3"));
        spool.append(events("backend", "m1"));
        spool.stop();

        assertThat(ids(inboxEvents())).containsExactly("m1", "m2", "m3", "m1");
        assertThat(duplicates()).isEqualTo(2);
    }

    @Test
    void segmentsLeftByACrashAreMovedIntoTheInboxWithoutTheLineTheCrashCutAndTheirMessageIdsAreRemembered()
            throws Exception {
        Files.createDirectories(dir.resolve("spool"));
        Files.writeString(dir.resolve("spool/http-20240101T000000.000-0.ndjson"),
                "{\"source\":\"web\",\"batch\":[{\"messageId\":\"acknowledged\"}]}\n{\"source\":\"web\",\"batch\":[{\"mess");
        Files.createDirectories(dir.resolve("done"));
        Files.writeString(dir.resolve("done/http-20231231T000000.000-0.ndjson"),
                "{\"source\":\"web\",\"batch\":[{\"messageId\":\"delivered-yesterday\"}]}\n");

        Spool spool = spool(Long.MAX_VALUE);
        spool.start();
        assertThat(TestInbox.lines(dir.resolve("inbox/http-20240101T000000.000-0.ndjson")))
                .containsExactly("{\"source\":\"web\",\"batch\":[{\"messageId\":\"acknowledged\"}]}");

        // the clients' retries of what the previous run acknowledged (or synced without answering)
        spool.append(events("web", "acknowledged", "delivered-yesterday", "new"));
        spool.stop();

        assertThat(ids(inboxEvents())).containsExactly("acknowledged", "new");
        assertThat(duplicates()).isEqualTo(2);
    }

    @Test
    void aWriteThatFailsIsAnswered503AndLeavesNoPartOfItsLine() throws Exception {
        Spool spool = spool(Long.MAX_VALUE);
        spool.start();
        spool.append(events("web", "before"));

        channels.get(0).allowWrites(10);
        assertThatThrownBy(() -> spool.append(events("web", "disk-full")))
                .isInstanceOfSatisfying(RefusedRequestException.class, refused -> {
                    assertThat(refused.getStatus()).isEqualTo(503);
                    assertThat(refused.getRetryAfter()).isEqualTo(30);
                    assertThat(refused.getMessage()).contains("No space left on device");
                });

        channels.get(0).allowWrites(Long.MAX_VALUE);
        spool.append(events("web", "disk-full", "after"));
        spool.stop();
        assertThat(ids(inboxEvents())).as("the retry is accepted: the failed write was not remembered")
                .containsExactly("before", "disk-full", "after");
    }

    @Test
    void aSyncThatFailsFailsEveryRequestThatReliedOnItAndKeepsOnlyWhatWasSynced() throws Exception {
        Spool spool = spool(Long.MAX_VALUE);
        spool.start();
        spool.append(events("web", "synced"));

        // The first request's sync stalls, the others write their lines meanwhile and wait for it; then it fails.
        FailingChannel segment = channels.get(0);
        CountDownLatch release = new CountDownLatch(1);
        segment.failNextSync(release);
        int writesBefore = segment.writes();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = "lost-" + i;
            sent.add(senders.submit(() -> {
                spool.append(events("web", id));
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> segment.writes() == writesBefore + 4);
        release.countDown();
        for (Future<?> request : sent) {
            assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(RefusedRequestException.class);
        }
        senders.shutdown();

        assertThat(ids(inboxEvents())).as("the segment, cut back to what was synced, is in the inbox").containsExactly("synced");
        spool.append(events("web", "lost-0", "next"));
        spool.stop();
        assertThat(ids(inboxEvents())).containsExactly("synced", "lost-0", "next");
    }

    @Test
    void aDiskShortOfSpaceIsAnswered503BeforeAnythingIsWritten() {
        Spool spool = spool(Long.MAX_VALUE, Long.MAX_VALUE);
        spool.start();

        assertThatThrownBy(spool::checkCapacity).isInstanceOfSatisfying(RefusedRequestException.class, refused -> {
            assertThat(refused.getStatus()).isEqualTo(503);
            assertThat(refused.getRetryAfter()).isEqualTo(30);
            assertThat(refused.getMessage()).startsWith("the disk is short of space");
        });
        spool.stop();
    }

    @Test
    void theRecentMessageIdsAreBoundedByBytesAsWellAsByCount() {
        RecentMessageIds recent = new RecentMessageIds(1_000_000, 10_000);
        String huge = "x".repeat(30_000);

        recent.add(RecentMessageIds.key("web", "small"));
        recent.add(RecentMessageIds.key("web", huge));
        for (int i = 0; i < 1000; i++) {
            recent.add(RecentMessageIds.key("web", "id-" + i));
        }

        assertThat(recent.contains(RecentMessageIds.key("web", huge))).isFalse();
        assertThat(recent.contains(RecentMessageIds.key("web", "id-999"))).isTrue();
        assertThat(recent.size()).isLessThan(100);
    }
}
