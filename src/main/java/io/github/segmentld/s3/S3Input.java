package io.github.segmentld.s3;

import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.model.InputSource;

/**
 * One object of the bucket, as the listing showed it: what identifies it across reads is its bucket, key and ETag, so
 * an object read again (after a crash, a failure not its own) has the same chunk keys and payload IDs, and an object
 * replaced under the same key (a new ETag) is a new input.
 *
 * @param eTag         the ETag without its quotes
 * @param lastModified epoch milliseconds: the time given to events without a readable timestamp, as a file's date is
 */
public record S3Input(String bucket, String key, String eTag, long size, long lastModified) {

    /** The object's identity, from which chunk keys and payload IDs are derived. */
    public String id() {
        return "s3://" + bucket + "/" + key + "#" + eTag;
    }

    /** How logs and records name the object: its URL, control characters escaped. */
    public String name() {
        return ControlCharacters.escape("s3://" + bucket + "/" + key);
    }

    /** The last part of the key: what tells its format, as a file name does. */
    public String fileName() {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    public InputSource source() {
        return new InputSource(name(), id(), "line", lastModified);
    }

    /** The ETag as S3 wants it in a condition (If-Match, x-amz-copy-source-if-match): quoted. */
    String quotedETag() {
        return "\"" + eTag + "\"";
    }
}
