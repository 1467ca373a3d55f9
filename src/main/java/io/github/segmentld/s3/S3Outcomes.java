package io.github.segmentld.s3;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.ingest.UnreadableInputException;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * What becomes of an object once it is read. Settled (every event delivered, filtered, rejected, parked or
 * dead-lettered), it is moved to s3.done-prefix, tagged or deleted (s3.after-read). An object that cannot be read
 * (not Segment JSON, a broken gzip: an {@link UnreadableInputException}) is moved to s3.failed-prefix with
 * {@code <key>.reason.txt} beside it (tagged as failed with the reason, with s3.after-read = tag), never deleted.
 * Any other failure (S3, the state database, a defect) is not the object's: it stays, and is read again at the next
 * poll, its settled chunks skipped; this poll lists no further.
 * <p>
 * A move copies on the ETag that was read (x-amz-copy-source-if-match): an object written anew under the same key
 * meanwhile is left where it is, to be read as the new input it is.
 */
public class S3Outcomes {

    /** The exchange property that holds the object being read. */
    public static final String OBJECT = "s3Object";

    private static final Logger LOG = LoggerFactory.getLogger(S3Outcomes.class);
    /** An S3 tag value: at most 256 of these characters. */
    private static final int TAG_VALUE_LENGTH = 256;
    private static final String TAG_VALUE_OTHER_CHARACTERS = "[^\\p{L}\\p{N}\\s_.:/=+\\-@]";

    private final S3Client client;
    private final S3Settings settings;
    private final S3Inbox inbox;
    private final Clock clock;

    /** @param clock the time written in the reason objects */
    public S3Outcomes(S3Client client, S3Settings settings, S3Inbox inbox, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.inbox = inbox;
        this.clock = clock;
    }

    /** Moves, tags or deletes the object, every event of which is settled. */
    public void settled(@ExchangeProperty(OBJECT) S3Input object) {
        switch (settings.afterRead()) {
            case MOVE -> move(object, settings.donePrefix());
            case TAG -> tag(object, List.of(Tag.builder().key(S3Inbox.TAG).value(S3Inbox.DONE).build()));
            case DELETE -> client.deleteObject(request -> request.bucket(object.bucket()).key(object.key()));
        }
    }

    /**
     * Moves (or tags) an object that cannot be read, with the reason. After any other failure, the object stays where
     * it is and the poll lists no further.
     */
    public void failed(@ExchangeProperty(OBJECT) S3Input object,
                       @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        UnreadableInputException unreadable = UnreadableInputException.in(cause);
        if (unreadable == null) {
            inbox.stopListing();
            LOG.error("Cannot finish {} now: {}. It stays in the bucket and is read again at the next poll; what is"
                    + " settled is skipped.", object.name(), ControlCharacters.escape(reason(cause)), cause);
            return;
        }
        String reason = ControlCharacters.escape(unreadable.getMessage());
        if (settings.afterRead() == AfterRead.TAG) {
            String tagValue = reason.replaceAll(TAG_VALUE_OTHER_CHARACTERS, " ");
            tagValue = tagValue.substring(0, Math.min(tagValue.length(), TAG_VALUE_LENGTH));
            tag(object, List.of(Tag.builder().key(S3Inbox.TAG).value(S3Inbox.FAILED).build(),
                    Tag.builder().key(S3Inbox.TAG + "-reason").value(tagValue).build()));
            LOG.error("Cannot read {}: {}. Tagged {}={}", object.name(), reason, S3Inbox.TAG, S3Inbox.FAILED);
            return;
        }
        String target = settings.failedPrefix() + object.key();
        String text = "time: " + clock.instant() + "\nobject: " + object.name() + "\nreason: " + reason + "\n";
        client.putObject(request -> request.bucket(object.bucket()).key(target + ".reason.txt")
                .contentType("text/plain; charset=utf-8"), RequestBody.fromString(text));
        move(object, settings.failedPrefix());
        LOG.error("Cannot read {}: {}. Moved to {} with {}", object.name(), reason,
                ControlCharacters.escape("s3://" + object.bucket() + "/" + target), "its .reason.txt");
    }

    /** Logs why a poll stopped before its end (the bucket could not be listed): the next poll lists again. */
    public void pollStopped(@ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Exception cause) {
        LOG.error("Cannot finish reading s3://{}/{} now: {}. What is not finished stays in the bucket and is read again"
                + " at the next poll; what is settled is skipped.", settings.bucket(),
                ControlCharacters.escape(settings.prefix()), ControlCharacters.escape(reason(cause)), cause);
    }

    private void move(S3Input object, String prefix) {
        String target = prefix + object.key();
        client.copyObject(request -> request.sourceBucket(object.bucket()).sourceKey(object.key())
                .copySourceIfMatch(object.quotedETag()).destinationBucket(object.bucket()).destinationKey(target));
        client.deleteObject(request -> request.bucket(object.bucket()).key(object.key()));
    }

    /** Puts the tags on the object, keeping its other tags (a put replaces the whole set). */
    private void tag(S3Input object, List<Tag> ours) {
        List<Tag> tags = new ArrayList<>();
        client.getObjectTagging(request -> request.bucket(object.bucket()).key(object.key())).tagSet().stream()
                .filter(tag -> ours.stream().noneMatch(own -> own.key().equals(tag.key())))
                .forEach(tags::add);
        tags.addAll(ours);
        client.putObjectTagging(request -> request.bucket(object.bucket()).key(object.key())
                .tagging(tagging -> tagging.tagSet(tags)));
        inbox.rememberRead(object);
    }

    /** The failure's message, past Camel's wrappers (a split's), with its root cause's when that is another. */
    private static String reason(Throwable cause) {
        Throwable failure = cause;
        while (failure instanceof CamelExchangeException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? String.valueOf(failure.getMessage())
                : failure.getMessage() + " (" + root.getMessage() + ")";
    }
}
