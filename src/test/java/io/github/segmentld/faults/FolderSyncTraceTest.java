package io.github.segmentld.faults;

import static io.github.segmentld.faults.SyscallTrace.answerTo;
import static io.github.segmentld.faults.SyscallTrace.named;
import static io.github.segmentld.faults.SyscallTrace.renameInto;
import static io.github.segmentld.faults.SyscallTrace.syncOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.Loopback;
import io.github.segmentld.TestInbox;
import io.github.segmentld.faults.SyscallTrace.Call;
import org.junit.jupiter.api.Test;

/**
 * Power-loss durability, seen in the application's system calls ({@code strace -f}, Debian's strace package, installed
 * by scripts/install-test-tools.sh; skipped with a message without it): each file an answer or a commit relies on is
 * forced, renamed or created into its folder, and that folder synced, before the HTTP answer or the commit. The spool
 * segment and the rejection file of a request before its answer, and the segment moved into the inbox before it is
 * committed; a dead letter before its input is committed;
 * the files a replay moves or writes into the inbox before the replay's answer.
 */
class FolderSyncTraceTest extends ChildApplicationTestSupport {

    private static final String WRITE_KEY = "sync-trace-key";
    private static final String BATCH = "{\"batch\":["
            + "{\"type\":\"track\",\"userId\":\"u-1\",\"event\":\"Bought\",\"messageId\":\"m-track\"},"
            // no anonymous ID: Alias User rejects it in the pipeline, so that it can be replayed
            + "{\"type\":\"identify\",\"userId\":\"u-2\",\"traits\":{\"plan\":\"free\"},\"messageId\":\"m-identify\"},"
            // no event name: the Tracking API refuses it at once
            + "{\"type\":\"track\",\"userId\":\"u-3\",\"messageId\":\"m-refused\"}]}";

    private final TestInbox inbox = TestInbox.create("sync-trace");
    private final int port = Loopback.freePort();

    private static String strace() {
        return Stream.of(System.getenv("PATH").split(":")).map(dir -> Path.of(dir, "strace"))
                .filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
    }

    @Test
    void eachFolderIsSyncedAfterItsNewFileAndBeforeTheAnswerOrCommitThatReliesOnIt() throws Exception {
        String strace = strace();
        assumeTrue(strace != null, "strace is not installed (scripts/install-test-tools.sh installs Debian's strace"
                + " package): the folder syncs are not traced");
        launchDarkly.answer(400);
        Properties settings = inbox.properties(launchDarkly.baseUrl());
        settings.setProperty("http.enabled", "true");
        settings.setProperty("camel.server.enabled", "true");
        settings.setProperty("camel.server.port", Integer.toString(port));
        settings.setProperty("http.write-keys", WRITE_KEY);
        settings.setProperty("spool.max-segment-age-ms", "200");
        Path traceFile = inbox.work().resolve("syscalls.txt");
        application = ChildApplication.start(inbox, settings, "application.log", List.of(strace, "-f", "-qq",
                "--seccomp-bpf", "-yy", "-s", "24", "-o", traceFile.toString(), "-e",
                "trace=openat,rename,renameat,renameat2,fsync,fdatasync,write,writev,sendto,sendmsg"));

        Answer accepted = postUntilAnswered("/v1/batch", "Basic " + Base64.getEncoder()
                .encodeToString((WRITE_KEY + ":").getBytes(StandardCharsets.UTF_8)), BATCH);
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> !TestInbox.list(inbox.done()).isEmpty()
                && !deadLetters().isEmpty() && post("/delivery/api/replay?kind=rejected", null, "").text()
                .contains("\"events\":1"));
        Path deadLetter = deadLetters().get(0);
        Answer deadLettersReplayed = post("/delivery/api/replay?kind=dead_letters&confirm=true", null, "");
        assertThat(deadLettersReplayed.status()).as(deadLettersReplayed.text()).isEqualTo(200);
        Answer rejectedReplayed = post("/delivery/api/replay?kind=rejected&confirm=true", null, "");
        assertThat(rejectedReplayed.status()).as(rejectedReplayed.text()).isEqualTo(200);

        SyscallTrace trace = await().atMost(Duration.ofSeconds(10)).until(() -> SyscallTrace.read(traceFile),
                read -> read.first(answerTo(rejectedReplayed.clientPort(), 200), -1).isPresent());
        Path rejected = inbox.rejected().toRealPath();
        Path deadLetterDir = inbox.deadLetters().toRealPath();
        Path inboxDir = inbox.inbox().toRealPath();

        // the refused event's rejection file, created, then its folder synced, before the request's answer
        Call created = trace.first(named("openat").and(call -> call.text().contains("/rejected-")
                && call.text().contains("O_CREAT")), -1).orElseThrow();
        Call answer = trace.first(answerTo(accepted.clientPort(), 200), -1).orElseThrow();
        assertThat(trace.first(syncOf(rejected), created.ended())).as("rejected folder synced after %s", created)
                .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(answer.began()));

        // the accepted events' spool segment, created, forced and its folder synced, before the request's answer
        Path spoolDir = inbox.work().resolve("spool").toRealPath();
        Call segment = trace.first(named("openat").and(call -> call.text().contains(spoolDir + "/http-")
                && call.text().contains("O_CREAT")), -1).orElseThrow();
        String segmentName = segment.text().replaceFirst(".*" + Pattern.quote(spoolDir + "/") + "(http-[^>\"]*).*", "$1");
        assertThat(trace.first(syncOf(spoolDir.resolve(segmentName)), segment.ended())).as("segment forced")
                .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(answer.began()));
        assertThat(trace.first(syncOf(spoolDir), segment.ended())).as("spool folder synced after %s", segment)
                .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(answer.began()));

        // the dead letter, forced under its temporary name, renamed, its folder synced, before its input is done
        Call renamed = trace.first(renameInto(inbox.deadLetters(), "[^.].*\\.json"), -1).orElseThrow();
        assertThat(trace.first(syncOf(deadLetterDir.resolve(".writing-" + deadLetter.getFileName())), -1))
                .as("dead letter forced").hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(renamed.began()));
        Call committed = trace.first(renameInto(inbox.done(), ".*"), -1).orElseThrow();
        assertThat(trace.first(syncOf(deadLetterDir), renamed.ended())).as("dead-letter folder synced after %s", renamed)
                .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(committed.began()));
        // the segment, rolled into the inbox, both folders synced, before the inbox reads and commits it
        Call rolled = trace.first(renameInto(inbox.inbox(), Pattern.quote(segmentName)), -1).orElseThrow();
        for (Path folder : List.of(inboxDir, spoolDir)) {
            assertThat(trace.first(syncOf(folder), rolled.ended())).as("%s synced after %s", folder, rolled)
                    .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(committed.began()));
        }

        // the replay: the dead letter moved into the inbox, both folders synced, before the answer
        Call moved = trace.first(renameInto(inbox.inbox(), Pattern.quote(deadLetter.getFileName().toString())),
                committed.ended()).orElseThrow();
        Call movedAnswer = trace.first(answerTo(deadLettersReplayed.clientPort(), 200), -1).orElseThrow();
        for (Path folder : List.of(inboxDir, deadLetterDir)) {
            assertThat(trace.first(syncOf(folder), moved.ended())).as("%s synced after %s", folder, moved)
                    .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(movedAnswer.began()));
        }

        // the replay: the rejected event written into the inbox as a file, the inbox synced, before the answer
        Call written = trace.first(renameInto(inbox.inbox(), "replay-rejected-.*\\.json"), -1).orElseThrow();
        Call writtenAnswer = trace.first(answerTo(rejectedReplayed.clientPort(), 200), -1).orElseThrow();
        assertThat(trace.first(syncOf(inboxDir), written.ended())).as("inbox synced after %s", written)
                .hasValueSatisfying(sync -> assertThat(sync.ended()).isLessThan(writtenAnswer.began()));
    }

    private List<Path> deadLetters() {
        return TestInbox.list(inbox.deadLetters()).stream()
                .filter(file -> !file.getFileName().toString().startsWith(".")).toList();
    }

    /** An HTTP answer, and the client's port of the connection it came on, as the trace shows it. */
    private record Answer(int status, String text, int clientPort) {
    }

    /** Posts until the application answers (it may still be starting), each time on a new connection. */
    private Answer postUntilAnswered(String path, String authorization, String body) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreException(
                ConnectException.class).until(() -> post(path, authorization, body), answer -> answer.status() != 503);
    }

    /** A POST on a connection of its own, closed after the answer. */
    private Answer post(String path, String authorization, String body) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type:"
                    + " application/json\r\n" + (authorization == null ? "" : "Authorization: " + authorization
                    + "\r\n") + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : 0;
            return new Answer(status, text, socket.getLocalPort());
        }
    }
}
