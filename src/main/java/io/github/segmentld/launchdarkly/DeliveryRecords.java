package io.github.segmentld.launchdarkly;

import org.apache.camel.http.base.HttpOperationFailedException;

/** What delivery logs and records say about a batch and a failure, without the URL (which holds the client-side ID). */
final class DeliveryRecords {

    /** The exchange property that holds the batch while its serialised body is in flight. */
    static final String BATCH = "launchDarklyBatch";

    /** The exchange property that counts the redeliveries of the batch, for its dead-letter record. */
    static final String REDELIVERIES = "launchDarklyRedeliveries";

    private DeliveryRecords() {
    }

    static String describe(Throwable cause) {
        if (cause instanceof HttpOperationFailedException failed) {
            return "LaunchDarkly answered " + failed.getStatusCode()
                    + (failed.getStatusText() == null ? "" : " " + failed.getStatusText());
        }
        return cause == null ? "unknown failure" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
