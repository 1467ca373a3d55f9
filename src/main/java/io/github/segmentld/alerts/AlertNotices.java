package io.github.segmentld.alerts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.config.AlertChannel;
import io.github.segmentld.config.AlertRule;

/** The bodies of alert notices: Prometheus Alertmanager's webhook JSON, and a Slack incoming webhook's text. */
final class AlertNotices {

    /** Alertmanager's "no end" time, which its webhook sends for an alert still firing. */
    private static final String NO_END = "0001-01-01T00:00:00Z";
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final byte SEPARATOR = (byte) 0xff;

    private final ObjectMapper mapper;
    private final String externalUrl;

    /** @param externalUrl where a reader sees more (the delivery page): Alertmanager's externalURL and generatorURL */
    AlertNotices(ObjectMapper mapper, String externalUrl) {
        this.mapper = mapper;
        this.externalUrl = externalUrl;
    }

    /**
     * A notice as it is posted to one channel.
     *
     * @param body the JSON to post
     */
    record ChannelNotice(AlertChannel channel, String rule, String status, byte[] body) {
    }

    /** What a notice says, whatever the channel. */
    record Notice(AlertRule rule, RuleState.Notice kind, Instant startsAt, Instant endsAt, String summary) {

        String status() {
            return kind == RuleState.Notice.FIRING ? "firing" : "resolved";
        }
    }

    ChannelNotice forChannel(AlertChannel channel, Notice notice) {
        byte[] body = channel.type().equals(AlertChannel.SLACK) ? slack(notice) : alertmanager(channel, notice);
        return new ChannelNotice(channel, notice.rule().name(), notice.status(), body);
    }

    /** The line the log gets, and the text Slack gets. */
    static String text(Notice notice) {
        AlertRule rule = notice.rule();
        if (notice.kind() == RuleState.Notice.FIRING) {
            return "[FIRING] " + rule.name() + " (" + rule.severity() + "): " + notice.summary() + ". Since "
                    + notice.startsAt() + ".";
        }
        return "[RESOLVED] " + rule.name() + ": " + notice.summary() + ". Fired at " + notice.startsAt()
                + ", resolved at " + notice.endsAt() + ".";
    }

    private byte[] slack(Notice notice) {
        ObjectNode body = mapper.createObjectNode();
        body.put("text", text(notice));
        return bytes(body);
    }

    /** Version 4 of Alertmanager's webhook: one alert, its own group. */
    private byte[] alertmanager(AlertChannel channel, Notice notice) {
        Map<String, String> labels = labels(notice.rule());
        Map<String, String> annotations = new TreeMap<>();
        annotations.put("summary", notice.summary());
        annotations.put("description", text(notice));
        ObjectNode body = mapper.createObjectNode();
        body.put("version", "4");
        body.put("groupKey", "{}:{alertname=\"" + notice.rule().name() + "\"}");
        body.put("truncatedAlerts", 0);
        body.put("status", notice.status());
        body.put("receiver", channel.name());
        body.putObject("groupLabels").put("alertname", notice.rule().name());
        ObjectNode commonLabels = body.putObject("commonLabels");
        labels.forEach(commonLabels::put);
        ObjectNode commonAnnotations = body.putObject("commonAnnotations");
        annotations.forEach(commonAnnotations::put);
        body.put("externalURL", externalUrl);
        ObjectNode alert = body.putArray("alerts").addObject();
        alert.put("status", notice.status());
        labels.forEach(alert.putObject("labels")::put);
        annotations.forEach(alert.putObject("annotations")::put);
        alert.put("startsAt", notice.startsAt().toString());
        alert.put("endsAt", notice.endsAt() == null ? NO_END : notice.endsAt().toString());
        alert.put("generatorURL", externalUrl);
        alert.put("fingerprint", fingerprint(labels));
        return bytes(body);
    }

    static Map<String, String> labels(AlertRule rule) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("alertname", rule.name());
        labels.put("destination", rule.destination());
        if (rule.mapping() != null) {
            labels.put("mapping", rule.mapping());
        }
        labels.put("severity", rule.severity());
        return labels;
    }

    /**
     * The alert's fingerprint as Prometheus computes it for a label set: FNV-1a (64 bits) over the labels sorted by
     * name, each name and value followed by the byte 0xff, in 16 hexadecimal digits.
     */
    static String fingerprint(Map<String, String> labels) {
        long hash = FNV_OFFSET;
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            hash = add(hash, label.getKey().getBytes(StandardCharsets.UTF_8));
            hash = add(hash, new byte[] {SEPARATOR});
            hash = add(hash, label.getValue().getBytes(StandardCharsets.UTF_8));
            hash = add(hash, new byte[] {SEPARATOR});
        }
        return String.format("%016x", hash);
    }

    private static long add(long hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= b & 0xff;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    private byte[] bytes(ObjectNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reasons with the most failures, most first, as "reason (count)". */
    static String topReasons(Map<String, Long> reasons, int count) {
        Map<String, Long> top = new LinkedHashMap<>();
        reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(count)
                .forEach(entry -> top.put(entry.getKey(), entry.getValue()));
        StringBuilder text = new StringBuilder();
        top.forEach((reason, failures) -> text.append(text.isEmpty() ? "" : "; ").append(reason).append(" (")
                .append(failures).append(')'));
        return text.toString();
    }
}
