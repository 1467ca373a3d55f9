package io.github.segmentld.alerts;

import static io.github.segmentld.alerts.RuleState.Verdict.BAD;
import static io.github.segmentld.alerts.RuleState.Verdict.GOOD;
import static io.github.segmentld.alerts.RuleState.Verdict.UNDECIDED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.github.segmentld.alerts.RuleState.Notice;
import io.github.segmentld.alerts.RuleState.State;
import org.junit.jupiter.api.Test;

class RuleStateTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    @Test
    void firesOnlyOnceTheConditionHeldForItsFor() {
        RuleState rule = new RuleState(Duration.ofMinutes(2), Duration.ofHours(4));
        assertThat(rule.judge(BAD, at(0))).isNull();
        assertThat(rule.state()).isEqualTo(State.PENDING);
        assertThat(rule.judge(BAD, at(1))).isNull();
        assertThat(rule.judge(BAD, at(2))).isEqualTo(Notice.FIRING);
        assertThat(rule.state()).isEqualTo(State.FIRING);
        assertThat(rule.firedAt()).isEqualTo(at(2));
    }

    @Test
    void aConditionThatClearsWhilePendingNeverFires() {
        RuleState rule = new RuleState(Duration.ofMinutes(2), Duration.ofHours(4));
        rule.judge(BAD, at(0));
        assertThat(rule.judge(GOOD, at(1))).isNull();
        assertThat(rule.state()).isEqualTo(State.OK);
        assertThat(rule.judge(BAD, at(2))).isNull();
        assertThat(rule.judge(BAD, at(3))).as("the for starts over").isNull();
        assertThat(rule.judge(BAD, at(4))).isEqualTo(Notice.FIRING);
    }

    @Test
    void resolvesWhenGoodAndSaysSoOnce() {
        RuleState rule = new RuleState(Duration.ZERO, Duration.ofHours(4));
        assertThat(rule.judge(BAD, at(0))).isEqualTo(Notice.FIRING);
        assertThat(rule.judge(UNDECIDED, at(1))).as("no judgement keeps the state").isNull();
        assertThat(rule.state()).isEqualTo(State.FIRING);
        assertThat(rule.judge(GOOD, at(2))).isEqualTo(Notice.RESOLVED);
        assertThat(rule.state()).isEqualTo(State.RESOLVED);
        assertThat(rule.resolvedAt()).isEqualTo(at(2));
        assertThat(rule.judge(GOOD, at(3))).isNull();
    }

    @Test
    void remindsWhileFiringOnlyEachRepeatInterval() {
        RuleState rule = new RuleState(Duration.ZERO, Duration.ofMinutes(60));
        assertThat(rule.judge(BAD, at(0))).isEqualTo(Notice.FIRING);
        assertThat(rule.judge(BAD, at(30))).isNull();
        assertThat(rule.judge(BAD, at(59))).isNull();
        assertThat(rule.judge(BAD, at(60))).isEqualTo(Notice.FIRING);
        assertThat(rule.firedAt()).as("a reminder, not a new firing").isEqualTo(at(0));
    }

    @Test
    void theCooldownStopsAFlappingRuleFromNotifyingAgainAndItsResolution() {
        RuleState rule = new RuleState(Duration.ZERO, Duration.ofMinutes(60));
        assertThat(rule.judge(BAD, at(0))).isEqualTo(Notice.FIRING);
        assertThat(rule.judge(GOOD, at(5))).isEqualTo(Notice.RESOLVED);
        assertThat(rule.judge(BAD, at(10))).as("within the cooldown").isNull();
        assertThat(rule.state()).isEqualTo(State.FIRING);
        assertThat(rule.judge(GOOD, at(15))).as("its firing was not told, nor is its resolution").isNull();
        assertThat(rule.judge(BAD, at(20))).isNull();
        assertThat(rule.judge(BAD, at(60))).as("the cooldown is over while it still fires").isEqualTo(Notice.FIRING);
        assertThat(rule.judge(GOOD, at(61))).isEqualTo(Notice.RESOLVED);
    }

    @Test
    void aZeroRepeatIntervalNeverReminds() {
        RuleState rule = new RuleState(Duration.ZERO, Duration.ZERO);
        assertThat(rule.judge(BAD, at(0))).isEqualTo(Notice.FIRING);
        assertThat(rule.judge(BAD, at(600))).isNull();
        assertThat(rule.judge(GOOD, at(601))).isEqualTo(Notice.RESOLVED);
        assertThat(rule.judge(BAD, at(602))).isEqualTo(Notice.FIRING);
    }
}
