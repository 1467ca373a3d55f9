package io.github.segmentld.config;

/**
 * Where alert notices go besides the log. The URL is a secret (a Slack webhook URL holds its token): it is never
 * logged, and not part of {@link #toString()}.
 *
 * @param type {@code webhook} (Prometheus Alertmanager's webhook JSON) or {@code slack} (an incoming webhook)
 */
public record AlertChannel(String name, String type, String url) {

    public static final String WEBHOOK = "webhook";
    public static final String SLACK = "slack";

    @Override
    public String toString() {
        return "AlertChannel[name=" + name + ", type=" + type + "]";
    }
}
