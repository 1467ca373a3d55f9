package io.github.segmentld.s3;

import java.util.Locale;

/** What becomes of an object once every event of it is settled (s3.after-read). */
public enum AfterRead {
    /** Copied to s3.done-prefix (the key appended), then deleted. */
    MOVE,
    /** Left where it is, tagged as read; tagged objects are not read again. */
    TAG,
    /** Deleted. */
    DELETE;

    static AfterRead of(String setting) {
        try {
            return valueOf(setting.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("s3.after-read must be move, tag or delete, was '" + setting + "'");
        }
    }
}
