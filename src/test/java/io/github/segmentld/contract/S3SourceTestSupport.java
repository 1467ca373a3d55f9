package io.github.segmentld.contract;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.segmentld.S3StandIn;
import org.junit.jupiter.api.AfterAll;

/**
 * The application with its S3 source on, reading a bucket of its own (one per test) of an S3 API in the test JVM
 * (S3Proxy behind a front that adds tagging and breaks connections on demand), shared by the S3 tests of the JVM.
 */
abstract class S3SourceTestSupport extends ContractTestSupport {

    /** Where Segment's S3 destination writes: segment-logs/<source-id>/<day>/<file>.gz */
    protected static final String KEY = "segment-logs/source-1/2022-03-30/1648661098000.5f2a9c.gz";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3StandIn s3;

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    protected String bucket;

    protected static synchronized S3StandIn s3() {
        if (s3 == null) {
            s3 = new S3StandIn();
        }
        return s3;
    }

    @AfterAll
    static synchronized void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }

    /** s3.after-read of the test class. */
    protected abstract String afterRead();

    @Override
    protected void adjust(Properties properties) {
        bucket = "segment-exports-" + BUCKETS.incrementAndGet();
        properties.putAll(s3().properties(bucket));
        properties.setProperty("s3.after-read", afterRead());
    }

    protected void put(String key, byte[] content) {
        s3().put(bucket, key, content);
    }

    protected List<String> keys() {
        return s3().keys(bucket);
    }

    /** Waits until the bucket holds exactly these keys. */
    protected void awaitKeys(String... keys) {
        await().atMost(Duration.ofSeconds(30)).until(() -> keys().equals(List.of(keys)));
    }
}
