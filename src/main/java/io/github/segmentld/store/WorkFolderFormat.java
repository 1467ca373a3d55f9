package io.github.segmentld.store;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The formats of the documents the work folder holds, each with the version this release writes. A document names its
 * version in the top-level field {@link #FIELD}; release 0.1.0 wrote none, which reads as version 1. A release reads
 * its own version and every older one, and refuses a newer one, leaving the document where it is for the release that
 * wrote it. A change to a format that an older release would misread raises its version here.
 * <p>
 * (The tables of the state database have versions of their own: {@link StateSchema}.)
 */
public enum WorkFolderFormat {

    /**
     * A line of a spool segment ({@code work/spool/http-*.ndjson}, then the inbox): one HTTP request's events as a
     * Segment batch object naming its sender, written by the ingest's {@code SpoolLines}; read by the inbox.
     */
    SPOOL_LINE("spool line", 1),

    /**
     * A dead letter: a Segment batch object with a {@code deadLetter} section and the LaunchDarkly events sent, written
     * by {@code DeadLetterRecorder} as a file of {@code work/dead-letter} ({@link DeadLetterFolder}) or a record of the
     * dead-letter topic ({@code kafka.KafkaDeadLetters}); read by the inbox when replayed, and by the topic's replay.
     */
    DEAD_LETTER("dead letter", 1),

    /**
     * A parked batch: the deflated JSON document of a batch in a retry queue, written by {@code BatchDocument} into
     * the {@code parked_batch} table of the state database (and the shared retry-queue topic); read by the retry
     * queue. A database holding documents of a newer version is refused already at start, by its schema version: a
     * release that raises this version adds a migration to {@code db/state} in the same change, so the two move
     * together. The version in the document itself is for documents another instance shares through Kafka, which
     * the schema version does not cover: a newer one stays parked, untouched.
     */
    PARKED_BATCH("parked batch", 1),

    /**
     * A rejection record: a line of {@code work/rejected/rejected-<day>.ndjson}, written by {@code RejectionRecorder}.
     * The application only cuts these files back to their settled length; the records are read by people and their
     * tools (a replay of rejected events reads the delivery log).
     */
    REJECTION_RECORD("rejection record", 1);

    /** The top-level field of a document that holds its format's version. */
    public static final String FIELD = "formatVersion";

    /** The version of a document without {@link #FIELD}: what release 0.1.0 wrote. */
    public static final int UNVERSIONED = 1;

    private final String title;
    private final int version;

    WorkFolderFormat(String title, int version) {
        this.title = title;
        this.version = version;
    }

    /** The version this release writes, and the newest it reads. */
    public int version() {
        return version;
    }

    /**
     * The version {@code document} names; {@link #UNVERSIONED} without the field. A field that is not a whole number
     * reads as newer than any release: no release writes one.
     */
    public static int versionOf(JsonNode document) {
        JsonNode field = document.get(FIELD);
        if (field == null) {
            return UNVERSIONED;
        }
        return field.canConvertToInt() && field.isIntegralNumber() ? field.intValue() : Integer.MAX_VALUE;
    }

    /** Why this release does not read {@code document}: null when its version is this release's or older. */
    public String refusal(JsonNode document) {
        int found = versionOf(document);
        if (found <= version) {
            return null;
        }
        JsonNode field = document.get(FIELD);
        return "written by a newer release: " + title + " format version " + (found == Integer.MAX_VALUE
                ? field.toString() : Integer.toString(found)) + ", this release reads up to version " + version;
    }
}
