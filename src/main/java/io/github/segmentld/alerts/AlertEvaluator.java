package io.github.segmentld.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.alerts.AlertNotices.ChannelNotice;
import io.github.segmentld.alerts.AlertNotices.Notice;
import io.github.segmentld.alerts.RuleState.Verdict;
import io.github.segmentld.config.AlertChannel;
import io.github.segmentld.config.AlertRule;
import io.github.segmentld.observe.DeliveryRates;
import io.github.segmentld.observe.DeliveryRates.Totals;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.store.ParkedBatches.Depth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the alert rules from the live delivery counts ({@link DeliveryRates}) and the retry queues, moves each rule's
 * state, and hands out the notices its channels must get; the log gets every notice. Publishes each rule's state
 * ({@code alert_state{rule}}) and the success ratio of each destination over 5m, 1h, 24h and the rules' windows
 * ({@code delivery_success_ratio{destination,window}}).
 */
public class AlertEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);
    private static final List<Duration> PUBLISHED_WINDOWS = List.of(Duration.ofMinutes(5), Duration.ofHours(1),
            Duration.ofHours(24));

    private static final Reading NOT_EVALUATED = new Reading(Verdict.UNDECIDED, Double.NaN, "not evaluated yet", null);

    private final DeliveryRates rates;
    private final Function<String, Depth> retryQueues;
    private final AlertNotices notices;
    private final AlertChannels channelHealth;
    private final PipelineMetrics metrics;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final Instant startedAt;
    /** The rules in force, their channels and states; replaced as a whole by a reload. */
    private volatile RuleSet ruleSet = new RuleSet(List.of(), Map.of(), Map.of());
    private final Map<String, Reading> readings = new LinkedHashMap<>();
    /** The gauges registered: one per rule name, one per destination and window; kept across reloads. */
    private final Set<String> gauged = new HashSet<>();
    private volatile Instant evaluatedAt;

    /**
     * @param destinations the enabled destination instances, whose success ratios are published
     * @param retryQueues  what waits in a destination's retry queue
     * @param externalUrl  where notices point a reader to (the delivery page)
     */
    public AlertEvaluator(List<AlertRule> rules, List<AlertChannel> channels, List<String> destinations,
                          DeliveryRates rates, Function<String, Depth> retryQueues, AlertChannels channelHealth,
                          String externalUrl, PipelineMetrics metrics, ObjectMapper mapper, Clock clock) {
        this.rates = rates;
        this.retryQueues = retryQueues;
        this.channelHealth = channelHealth;
        this.notices = new AlertNotices(mapper, externalUrl);
        this.metrics = metrics;
        this.mapper = mapper;
        this.clock = clock;
        this.startedAt = clock.instant();
        replace(rules, channels, destinations);
    }

    private record RuleSet(List<AlertRule> rules, Map<String, AlertChannel> channels, Map<String, RuleState> states) {
    }

    /**
     * Puts the rules of a reloaded rules file in force. A rule that stays as it was keeps its state (pending, firing,
     * when it last notified); a new or changed rule starts undecided; a removed rule is no longer judged or shown.
     *
     * @param destinations the enabled destination instances now, whose success ratios are published
     */
    public synchronized void replace(List<AlertRule> rules, List<AlertChannel> channels, List<String> destinations) {
        RuleSet before = ruleSet;
        Map<String, RuleState> states = new LinkedHashMap<>();
        Map<String, Reading> kept = new LinkedHashMap<>();
        for (AlertRule rule : rules) {
            boolean unchanged = before.rules().contains(rule);
            states.put(rule.name(), unchanged ? before.states().get(rule.name())
                    : new RuleState(rule.pendingFor(), rule.repeatInterval()));
            kept.put(rule.name(), unchanged ? readings.getOrDefault(rule.name(), NOT_EVALUATED) : NOT_EVALUATED);
            if (gauged.add("rule " + rule.name())) {
                metrics.gauge("alert.state", () -> stateGauge(rule.name()), "rule", rule.name());
            }
        }
        readings.clear();
        readings.putAll(kept);
        Map<String, AlertChannel> byName = new LinkedHashMap<>();
        channels.forEach(channel -> byName.put(channel.name(), channel));
        ruleSet = new RuleSet(List.copyOf(rules), byName, states);
        for (String destination : destinations) {
            Set<Duration> windows = new TreeSet<>(PUBLISHED_WINDOWS);
            rules.stream().filter(rule -> rule.destination().equals(destination) && rule.window() != null)
                    .forEach(rule -> windows.add(rule.window()));
            for (Duration window : windows) {
                if (gauged.add(destination + " " + window)) {
                    metrics.gauge("delivery.success.ratio", () -> rates.totals(destination, null, window)
                            .successRatio(), "destination", destination, "window", text(window));
                }
            }
        }
    }

    /** A rule's state as its gauge shows it; NaN once a reload has removed the rule. */
    private double stateGauge(String rule) {
        RuleState state = ruleSet.states().get(rule);
        return state == null ? Double.NaN : state.state().gauge;
    }

    /** What an evaluation found for a rule: its verdict, the value judged, and a sentence a reader understands. */
    private record Reading(Verdict verdict, double value, String summary, Long outcomes) {
    }

    /** Judges every rule now; returns the notices for the channels (the log has had them). */
    public List<ChannelNotice> evaluate() {
        Instant now = clock.instant();
        List<ChannelNotice> toSend = new ArrayList<>();
        RuleSet set = ruleSet;
        for (AlertRule rule : set.rules()) {
            RuleState state = set.states().get(rule.name());
            Reading reading = read(rule, state.state() == RuleState.State.FIRING, now);
            RuleState.Notice change;
            synchronized (this) {
                readings.put(rule.name(), reading);
                change = state.judge(reading.verdict(), now);
            }
            if (change == null) {
                continue;
            }
            Notice notice = new Notice(rule, change, state.firedAt(),
                    change == RuleState.Notice.RESOLVED ? state.resolvedAt() : null, reading.summary());
            if (change == RuleState.Notice.FIRING) {
                LOG.warn("ALERT {}", AlertNotices.text(notice));
            } else {
                LOG.info("ALERT {}", AlertNotices.text(notice));
            }
            for (String channel : rule.channels()) {
                toSend.add(notices.forChannel(set.channels().get(channel), notice));
            }
        }
        evaluatedAt = now;
        return toSend;
    }

    /** @param firing whether the rule fires now: then a delivery rate is good only at its resolve-above rate */
    private Reading read(AlertRule rule, boolean firing, Instant now) {
        String destination = "destination " + rule.destination();
        return switch (rule.kind()) {
            case DELIVERY_RATE -> {
                Totals totals = rates.totals(rule.destination(), rule.mapping(), rule.window());
                String scope = rule.mapping() == null ? destination
                        : destination + ", mapping " + rule.mapping() + ",";
                if (totals.outcomes() < rule.minOutcomes()) {
                    yield new Reading(Verdict.UNDECIDED, percent(totals), scope + " had " + totals.outcomes()
                            + " delivery outcomes over the last " + text(rule.window()) + ", fewer than the "
                            + rule.minOutcomes() + " its rate is judged on", totals.outcomes());
                }
                double rate = percent(totals);
                Verdict verdict = rate < rule.threshold() ? Verdict.BAD
                        : rate >= (firing ? rule.resolveAbove() : rule.threshold()) ? Verdict.GOOD : Verdict.UNDECIDED;
                String summary = scope + " delivered " + format(rate) + "% of " + totals.outcomes()
                        + " events over the last " + text(rule.window()) + " (threshold " + format(rule.threshold())
                        + "%" + (firing ? ", resolves at " + format(rule.resolveAbove()) + "%" : "") + ")"
                        + errors(totals);
                yield new Reading(verdict, rate, summary, totals.outcomes());
            }
            case RETRY_QUEUE_AGE -> {
                Depth depth = retryQueues.apply(rule.destination());
                long ageSeconds = depth.oldestFirstFailedAt() == 0 ? 0
                        : Math.max(0, (now.toEpochMilli() - depth.oldestFirstFailedAt()) / 1000);
                Verdict verdict = ageSeconds > rule.maxAge().toSeconds() ? Verdict.BAD : Verdict.GOOD;
                String summary = depth.batches() == 0 ? "the retry queue of " + destination + " is empty"
                        : "the oldest batch in the retry queue of " + destination + " has waited "
                        + text(Duration.ofSeconds(ageSeconds)) + " (limit " + text(rule.maxAge()) + "); "
                        + depth.batches() + " batches, " + depth.events() + " events wait";
                yield new Reading(verdict, ageSeconds, summary, null);
            }
            case NO_DELIVERY -> {
                Totals totals = rates.totals(rule.destination(), null, rule.window());
                String summary = destination + " delivered " + totals.delivered() + " events over the last "
                        + text(rule.window()) + " while " + totals.arrived() + " arrived for it" + errors(totals);
                // judged once the application has watched for the whole window
                Verdict verdict = now.isBefore(startedAt.plus(rule.window())) ? Verdict.UNDECIDED
                        : totals.delivered() > 0 ? Verdict.GOOD
                        : totals.arrived() > 0 ? Verdict.BAD : Verdict.UNDECIDED;
                yield new Reading(verdict, totals.delivered(), summary, totals.outcomes());
            }
        };
    }

    /** Each rule now, and each channel: what the alerts API and the delivery page show. */
    public synchronized ObjectNode status() {
        ObjectNode status = mapper.createObjectNode();
        status.put("evaluatedAt", evaluatedAt == null ? null : evaluatedAt.toString());
        ArrayNode list = status.putArray("rules");
        RuleSet set = ruleSet;
        for (AlertRule rule : set.rules()) {
            RuleState state = set.states().get(rule.name());
            Reading reading = readings.getOrDefault(rule.name(), NOT_EVALUATED);
            ObjectNode row = list.addObject();
            row.put("name", rule.name());
            row.put("kind", rule.kind().key());
            row.put("destination", rule.destination());
            row.put("mapping", rule.mapping());
            row.put("state", state.state().name().toLowerCase(Locale.ROOT));
            row.put("summary", reading.summary());
            if (!Double.isNaN(reading.value())) {
                row.put(switch (rule.kind()) {
                    case DELIVERY_RATE -> "ratePercent";
                    case RETRY_QUEUE_AGE -> "oldestAgeSeconds";
                    case NO_DELIVERY -> "delivered";
                }, reading.value());
            }
            if (reading.outcomes() != null) {
                row.put("outcomes", reading.outcomes());
            }
            if (rule.kind() == AlertRule.Kind.DELIVERY_RATE) {
                row.put("thresholdPercent", rule.threshold());
                row.put("resolveAbovePercent", rule.resolveAbove());
                row.put("minOutcomes", rule.minOutcomes());
            }
            if (rule.window() != null) {
                row.put("window", text(rule.window()));
            }
            if (rule.maxAge() != null) {
                row.put("maxAge", text(rule.maxAge()));
            }
            row.put("for", text(rule.pendingFor()));
            putTime(row, "pendingSince", state.pendingSince());
            putTime(row, "lastFiredAt", state.firedAt());
            putTime(row, "lastResolvedAt", state.resolvedAt());
            putTime(row, "lastNotifiedAt", state.notifiedAt());
            rule.channels().forEach(row.putArray("channels")::add);
        }
        ArrayNode channelList = status.putArray("channels");
        channelHealth.health().forEach((name, health) -> {
            ObjectNode row = channelList.addObject();
            row.put("name", name);
            row.put("type", health.type());
            row.put("state", health.failing() ? "failing" : "ok");
            putTime(row, "lastSentAt", health.lastSentAt());
            putTime(row, "lastFailedAt", health.lastFailedAt());
            row.put("lastError", health.lastError());
        });
        return status;
    }

    /** The rules firing now. */
    public List<String> firing() {
        RuleSet set = ruleSet;
        return set.rules().stream().map(AlertRule::name)
                .filter(name -> set.states().get(name).state() == RuleState.State.FIRING).toList();
    }

    public Map<String, String> states() {
        Map<String, String> found = new LinkedHashMap<>();
        ruleSet.states().forEach((name, state) -> found.put(name, state.state().name().toLowerCase(Locale.ROOT)));
        return found;
    }

    private static void putTime(ObjectNode row, String name, Instant time) {
        row.put(name, time == null ? null : time.toString());
    }

    private static double percent(Totals totals) {
        return totals.outcomes() == 0 ? Double.NaN : 100.0 * totals.delivered() / totals.outcomes();
    }

    private static String errors(Totals totals) {
        String top = AlertNotices.topReasons(totals.failureReasons(), 3);
        return top.isEmpty() ? "" : "; top errors: " + top;
    }

    private static String format(double percent) {
        return String.format(Locale.ROOT, percent == Math.rint(percent) ? "%.0f" : "%.1f", percent);
    }

    /** 15m, 1h, 1h30m, 45s: as the rules file writes durations. */
    static String text(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long[] units = {86_400, 3_600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (seconds >= units[i]) {
                text.append(seconds / units[i]).append(names[i]);
                seconds %= units[i];
            }
        }
        return text.toString();
    }
}
