package io.github.segmentld.store;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The {@code state-database} health check: DOWN while the state database's writer fails (its last transaction failed,
 * or one of its writes threw an Error) or is stuck on a transaction for longer than the write timeout; meanwhile the
 * HTTP sources answer what needs the database 503, and inputs wait in the inbox.
 */
public class StateDatabaseHealthCheck extends AbstractHealthCheck {

    private final StateDatabase database;

    public StateDatabaseHealthCheck(StateDatabase database) {
        super("state-database");
        this.database = database;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        database.writerTrouble().ifPresentOrElse(trouble -> builder.down().message(trouble), builder::up);
        builder.detail("writer.failures", database.writerFailures());
    }
}
