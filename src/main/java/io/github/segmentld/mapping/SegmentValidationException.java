package io.github.segmentld.mapping;

/**
 * An event that an action cannot turn into a LaunchDarkly event. The message is Segment's own validation text, so a
 * rejection reads the same here as in Segment's event delivery view. Rejections are never retried.
 */
public class SegmentValidationException extends RuntimeException {

    public SegmentValidationException(String message) {
        super(message, null, false, false);
    }
}
