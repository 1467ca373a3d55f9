package io.github.segmentld.observe;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code release} health check: always UP, it is there for its details, which tell on the management server
 * ({@code /observe/health}) which release answers.
 */
public class ReleaseHealthCheck extends AbstractHealthCheck {

    private final Release release;

    public ReleaseHealthCheck(Release release) {
        super("release");
        this.release = release;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("name", release.name()).detail("version", release.version()).up();
    }
}
