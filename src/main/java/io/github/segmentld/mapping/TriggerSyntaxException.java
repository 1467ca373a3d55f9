package io.github.segmentld.mapping;

/** A trigger that does not follow the grammar; the message names the position (counted from 1). */
public class TriggerSyntaxException extends IllegalArgumentException {

    public TriggerSyntaxException(String trigger, int position, String problem) {
        super(problem + " at position " + (position + 1) + " of trigger: " + trigger);
    }
}
