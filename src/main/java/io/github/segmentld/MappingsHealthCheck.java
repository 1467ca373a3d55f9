package io.github.segmentld;

import java.util.Map;

import io.github.segmentld.config.MappingsInForce;
import io.github.segmentld.config.MappingsVersion;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code mappings} health check: the mappings version in force (its digest and when it was loaded), the alert
 * rules file's digest, and the last reload's outcome and error. Always UP: a refused reload leaves the version in force
 * delivering, and the message says so.
 */
public class MappingsHealthCheck extends AbstractHealthCheck {

    private final MappingsInForce inForce;
    private final MappingsReload reload;

    public MappingsHealthCheck(MappingsInForce inForce, MappingsReload reload) {
        super("mappings");
        this.inForce = inForce;
        this.reload = reload;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        MappingsVersion version = inForce.version();
        builder.detail("digest", version.digest() == null ? "none (launchdarkly.* settings)" : version.digest());
        builder.detail("loaded.at", version.loadedAt().toString());
        builder.detail("alerts.digest", reload.alertsDigest() == null ? "none" : reload.alertsDigest());
        MappingsReload.Outcome last = reload.last();
        builder.detail("last.reload.outcome", last == null ? "none" : last.applied() ? "applied" : "refused");
        if (last != null) {
            builder.detail("last.reload.at", last.at().toString());
            builder.detail("last.reload.error", last.error() == null ? "" : last.error());
        }
        String inForceNow = MappingsReload.shortDigest(version.digest()) + " in force since " + version.loadedAt();
        builder.up().message(last == null || last.applied() ? inForceNow
                : "last reload refused at " + last.at() + " (" + last.error() + "); " + inForceNow);
    }
}
