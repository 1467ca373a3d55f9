package io.github.segmentld.contract;

import static io.github.segmentld.Json.parse;
import static io.github.segmentld.TestInbox.gzip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.segmentld.LogCapture;
import io.github.segmentld.TestInbox;
import io.github.segmentld.s3.S3Outcomes;
import org.junit.jupiter.api.Test;

/**
 * Segment's S3 exports read in place (s3.after-read = move), against an S3 API on 127.0.0.1: what reaches the
 * LaunchDarkly stand-in, what becomes of each object, and what a second read sends.
 */
class S3SourceContractTest extends S3SourceTestSupport {

    private static final String EXPORT = """
            {"type":"track","userId":"user1234","anonymousId":"anon-1","event":"Test Event","properties":{"revenue":123.456},"timestamp":"2022-03-30T17:24:58Z"}
            {"type":"alias","userId":"user1234","previousId":"anon-1","timestamp":"2022-03-30T17:24:31Z"}
            {"type":"page","userId":"user1234","name":"Home","timestamp":"2022-03-30T17:24:32Z"}
            """;
    private static final JsonNode EXPORT_OUT = parse("""
            [{'kind':'custom','key':'Test Event','contextKeys':{'unauthenticatedUser':'anon-1','user':'user1234'},
              'metricValue':123.456,'data':{'revenue':123.456},'creationDate':1648661098000},
             {'kind':'alias','key':'user1234','previousKey':'anon-1','contextKind':'user',
              'previousContextKind':'anonymousUser','creationDate':1648661071000}]""");

    @Override
    protected String afterRead() {
        return "move";
    }

    private static String tracks(int from, int to) {
        return TestInbox.trackLines(from, to);
    }

    @Test
    void anExportIsDeliveredOnceThenMovedAndTheSameObjectReadAgainSendsNothing() {
        byte[] export = gzip(EXPORT);
        put(KEY, export);

        awaitKeys("done/" + KEY);
        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
        assertThat(LaunchDarklyStandInServer.body(LAUNCHDARKLY.requests().get(0))).isEqualTo(EXPORT_OUT);

        // the same bytes again under the same key: the same ETag, so the same input, whose chunks are settled
        put(KEY, export);
        await().atMost(Duration.ofSeconds(30)).until(() -> !keys().contains(KEY));
        assertThat(keys()).containsExactly("done/" + KEY);
        assertThat(LAUNCHDARKLY.requests()).hasSize(1);
    }

    @Test
    void anObjectThatBreaksOffDeliversWhatCameBeforeTheBreakThenGoesToTheFailedPrefixWithItsReason()
            throws IOException {
        String cut = "segment-logs/source-1/2022-03-30/cut.gz";
        String notJson = "segment-logs/source-1/2022-03-30/not-json.gz";
        put(cut, InboxFilesContractTest.gzipCutAfter(tracks(1, 30), tracks(31, 60)));
        put(notJson, gzip("this is not Segment JSON\n"));

        awaitKeys("failed/" + cut, "failed/" + cut + ".reason.txt", "failed/" + notJson,
                "failed/" + notJson + ".reason.txt");
        assertThat(s3().text(bucket, "failed/" + cut + ".reason.txt"))
                .contains("object: s3://" + bucket + "/" + cut)
                .contains("broken off after 30 events, at line 31: Unexpected end of ZLIB input stream");
        assertThat(s3().text(bucket, "failed/" + notJson + ".reason.txt")).contains("not Segment JSON");
        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    void aGetThatBreaksOffIsTakenUpAgainWhereItBroke() {
        byte[] export = gzip(tracks(1, 1500));
        s3().breakNextGetsAfter(bucket, KEY, (long) export.length / 2);
        long getsBefore = s3().gets();
        put(KEY, export);

        awaitKeys("done/" + KEY);
        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(1500).doesNotHaveDuplicates();
        // the read, the look at its first line, and the ranged GET from where the read broke
        assertThat(s3().gets() - getsBefore).isEqualTo(3);
    }

    @Test
    void aGetThatKeepsBreakingStopsThePollAndTheNextPollFinishesTheObjectWithoutDoubles() {
        // named .ndjson.gz: read as lines at once, so every GET of it is the read's
        String key = "segment-logs/source-1/2022-03-30/export.ndjson.gz";
        byte[] export = gzip(tracks(1, 1500));
        // the read breaks halfway, then each ranged GET that takes it up again breaks before its first byte
        s3().breakNextGetsAfter(bucket, key, (long) export.length / 2, 0L, 0L, 0L);
        try (LogCapture failures = new LogCapture(S3Outcomes.class)) {
            put(key, export);

            awaitKeys("done/" + key);
            assertThat(failures.lines()).anyMatch(line -> line.contains("Cannot finish s3://" + bucket + "/" + key)
                    && line.contains("broke off at byte " + export.length / 2 + " 4 times in a row"));
        }
        assertThat(LAUNCHDARKLY.acceptedUsers()).hasSize(1500).doesNotHaveDuplicates();
    }
}
