package io.github.segmentld.alerts;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.segmentld.config.AlertChannel;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each alert channel fares: the last notice it took, the last it failed to take and why. A channel whose last
 * notice failed (after its redeliveries) is failing until one gets through; it shows in metrics
 * ({@code alert_notifications_sent_total{channel}}, {@code alert_notifications_failed_total{channel}},
 * {@code alert_channel_up{channel}}), in health and in the alerts API. The channel's URL is never shown.
 */
public class AlertChannels {

    /** The exchange property that holds the notice being posted. */
    public static final String NOTICE = "alertNotice";
    private static final Logger LOG = LoggerFactory.getLogger(AlertChannels.class);

    private final PipelineMetrics metrics;
    private final Clock clock;
    private final Map<String, Health> channels = new LinkedHashMap<>();

    public AlertChannels(List<AlertChannel> channels, PipelineMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.clock = clock;
        replace(channels);
    }

    /**
     * The channels of the rules file a reload put in force: a channel that stays keeps its state; one that goes is
     * no longer shown (a notice already on its way is still posted, and counted).
     */
    public void replace(List<AlertChannel> channels) {
        synchronized (this.channels) {
            Map<String, Health> before = new LinkedHashMap<>(this.channels);
            this.channels.clear();
            for (AlertChannel channel : channels) {
                String name = channel.name();
                Health kept = before.get(name);
                this.channels.put(name, kept != null && kept.type().equals(channel.type()) ? kept
                        : new Health(channel.type()));
                if (kept == null) {
                    metrics.gauge("alert.channel.up", () -> up(name), "channel", name);
                }
            }
        }
    }

    /** 1 while the channel takes notices, 0 while it fails them, NaN once a reload has removed it. */
    private double up(String channel) {
        synchronized (channels) {
            Health health = channels.get(channel);
            return health == null ? Double.NaN : health.failing() ? 0 : 1;
        }
    }

    /** A channel's state as the API and health show it. */
    public record Health(String type, Instant lastSentAt, Instant lastFailedAt, String lastError) {

        Health(String type) {
            this(type, null, null, null);
        }

        public boolean failing() {
            return lastFailedAt != null && (lastSentAt == null || lastFailedAt.isAfter(lastSentAt));
        }
    }

    /** The channel took the notice. */
    public void sent(@ExchangeProperty(NOTICE) AlertNotices.ChannelNotice notice) {
        String name = notice.channel().name();
        metrics.alertNotification(name, true);
        synchronized (channels) {
            Health before = channels.get(name);
            if (before == null) {
                return;
            }
            if (before.failing()) {
                LOG.info("Alert channel '{}' takes notices again", name);
            }
            channels.put(name, new Health(before.type(), clock.instant(), before.lastFailedAt(), before.lastError()));
        }
    }

    /** The notice could not be posted, redeliveries included. */
    public void failed(Exchange exchange) {
        AlertNotices.ChannelNotice notice = exchange.getProperty(NOTICE, AlertNotices.ChannelNotice.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // the exception's own message may show the URL, which is a secret
        String error = cause instanceof HttpOperationFailedException http ? "answered " + http.getStatusCode()
                : cause == null ? "unknown" : cause.getClass().getSimpleName();
        String name = notice.channel().name();
        metrics.alertNotification(name, false);
        synchronized (channels) {
            Health before = channels.get(name);
            if (before != null) {
                channels.put(name, new Health(before.type(), before.lastSentAt(), clock.instant(), error));
            }
        }
        LOG.error("ALERT NOTICE NOT DELIVERED: channel '{}' ({}) did not take the {} notice of rule '{}' after its"
                + " redeliveries: {}", name, notice.channel().type(), notice.status(), notice.rule(), error);
    }

    public Map<String, Health> health() {
        synchronized (channels) {
            return new LinkedHashMap<>(channels);
        }
    }
}
