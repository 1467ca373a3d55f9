package io.github.segmentld.s3;

/**
 * Where the S3 source reads and what it does with what it read, checked at start: a mistake stops the start with the
 * setting named.
 *
 * @param prefix       the objects read are those whose keys start with it (empty: the whole bucket)
 * @param donePrefix   where a settled object is moved to (s3.after-read = move): this prefix, then its key
 * @param failedPrefix where an object that cannot be read is moved to, with {@code <key>.reason.txt} beside it
 */
public record S3Settings(String bucket, String prefix, String donePrefix, String failedPrefix, AfterRead afterRead) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("s3.bucket must name the bucket Segment's S3 destination writes to");
        }
        requirePrefix("s3.done-prefix", donePrefix);
        requirePrefix("s3.failed-prefix", failedPrefix);
        if (donePrefix.startsWith(failedPrefix) || failedPrefix.startsWith(donePrefix)) {
            throw new IllegalArgumentException("s3.done-prefix and s3.failed-prefix must not hold each other, were '"
                    + donePrefix + "' and '" + failedPrefix + "'");
        }
        if (!prefix.isEmpty() && (prefix.startsWith(donePrefix) || prefix.startsWith(failedPrefix))) {
            throw new IllegalArgumentException("s3.prefix '" + prefix + "' is inside s3.done-prefix or "
                    + "s3.failed-prefix: what is read would be what was read already");
        }
    }

    /** Reads the setting's text as an {@link AfterRead}. */
    public static S3Settings of(String bucket, String prefix, String donePrefix, String failedPrefix,
                                String afterRead) {
        return new S3Settings(bucket.strip(), prefix.strip(), donePrefix.strip(), failedPrefix.strip(),
                AfterRead.of(afterRead));
    }

    /** Whether the key is one to read: under the prefix, and not one the source moved or wrote itself. */
    boolean toRead(String key) {
        return key.startsWith(prefix) && !key.startsWith(donePrefix) && !key.startsWith(failedPrefix)
                && !key.endsWith("/");
    }

    private static void requirePrefix(String setting, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(setting + " must not be empty: moved objects would be read again");
        }
    }
}
