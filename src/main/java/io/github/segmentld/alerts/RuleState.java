package io.github.segmentld.alerts;

import java.time.Duration;
import java.time.Instant;

/**
 * Where one alert rule stands: OK, PENDING (its condition holds, for less than its {@code for}), FIRING, RESOLVED
 * (it fired and its condition cleared). Each evaluation brings a verdict; the hysteresis is in the verdict (a firing
 * delivery-rate rule is judged good only at its resolve-above rate), the {@code for} and the repeat interval here.
 */
final class RuleState {

    enum State {
        OK(0), PENDING(1), FIRING(2), RESOLVED(0);

        /** The value of the {@code alert_state} gauge: 0 not firing, 1 pending, 2 firing. */
        final int gauge;

        State(int gauge) {
            this.gauge = gauge;
        }
    }

    /** What an evaluation found: the condition holds, it does not, or it cannot be judged (too few outcomes). */
    enum Verdict { BAD, GOOD, UNDECIDED }

    /** What an evaluation changed that channels must hear of. */
    enum Notice { FIRING, RESOLVED }

    private final Duration pendingFor;
    private final Duration repeatInterval;
    private State state = State.OK;
    private State beforePending = State.OK;
    private Instant pendingSince;
    private Instant firedAt;
    private Instant resolvedAt;
    private Instant notifiedAt;
    /** Whether the channels heard that the current (or last) firing started: only then do they hear it resolved. */
    private boolean firingNotified;

    RuleState(Duration pendingFor, Duration repeatInterval) {
        this.pendingFor = pendingFor;
        this.repeatInterval = repeatInterval;
    }

    /** Moves the rule on; returns the notice to send, or null. */
    synchronized Notice judge(Verdict verdict, Instant now) {
        if (verdict == Verdict.BAD) {
            if (state == State.OK || state == State.RESOLVED) {
                beforePending = state;
                state = State.PENDING;
                pendingSince = now;
            }
            if (state == State.PENDING && !now.isBefore(pendingSince.plus(pendingFor))) {
                state = State.FIRING;
                firedAt = now;
                firingNotified = false;
            }
            if (state == State.FIRING && mayNotify(now)) {
                notifiedAt = now;
                firingNotified = true;
                return Notice.FIRING;
            }
        } else if (verdict == Verdict.GOOD) {
            if (state == State.PENDING) {
                state = beforePending;
            } else if (state == State.FIRING) {
                state = State.RESOLVED;
                resolvedAt = now;
                if (firingNotified) {
                    firingNotified = false;
                    return Notice.RESOLVED;
                }
            }
        }
        return null;
    }

    /** Not within the repeat interval of the last firing notice (a reminder, or a firing again soon after resolving). */
    private boolean mayNotify(Instant now) {
        if (notifiedAt == null) {
            return true;
        }
        if (firingNotified && repeatInterval.isZero()) {
            return false;
        }
        return !now.isBefore(notifiedAt.plus(repeatInterval));
    }

    synchronized State state() {
        return state;
    }

    synchronized Instant pendingSince() {
        return state == State.PENDING ? pendingSince : null;
    }

    synchronized Instant firedAt() {
        return firedAt;
    }

    synchronized Instant resolvedAt() {
        return resolvedAt;
    }

    synchronized Instant notifiedAt() {
        return notifiedAt;
    }
}
