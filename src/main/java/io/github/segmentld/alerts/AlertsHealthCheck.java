package io.github.segmentld.alerts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code alerts} health check: each rule's state and each channel's. It stays UP (an alert firing, or a channel
 * not taking notices, is news for the operator, not a reason to take the application out of service); the message
 * names what fires and what fails.
 */
public class AlertsHealthCheck extends AbstractHealthCheck {

    private final AlertEvaluator evaluator;
    private final AlertChannels channels;

    public AlertsHealthCheck(AlertEvaluator evaluator, AlertChannels channels) {
        super("alerts");
        this.evaluator = evaluator;
        this.channels = channels;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        evaluator.states().forEach((rule, state) -> builder.detail("rule." + rule, state));
        List<String> failing = new ArrayList<>();
        channels.health().forEach((name, health) -> {
            builder.detail("channel." + name, health.failing() ? "failing: " + health.lastError() : "ok");
            if (health.failing()) {
                failing.add(name);
            }
        });
        List<String> firing = evaluator.firing();
        List<String> message = new ArrayList<>();
        if (!firing.isEmpty()) {
            message.add("firing: " + String.join(", ", firing));
        }
        if (!failing.isEmpty()) {
            message.add("channels failing: " + String.join(", ", failing));
        }
        builder.up().message(message.isEmpty() ? "no alert firing, every channel ok" : String.join("; ", message));
    }
}
