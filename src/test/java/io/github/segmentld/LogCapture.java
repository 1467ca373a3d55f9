package io.github.segmentld;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Keeps what one logger logs, so that a test can assert on what an operator would read. While the capture lasts, the
 * logger has a configuration of its own; closing the capture removes it, and the logger logs as before.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final String loggerName;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** Keeps what the class's logger logs at the level the tests' configuration gives it; the console still shows it. */
    public LogCapture(Class<?> loggerOf) {
        this(loggerOf.getName(), null);
    }

    /** @param loggerName the logger's name, for a class the test cannot see */
    public LogCapture(String loggerName) {
        this(loggerName, null);
    }

    /**
     * Keeps what the named logger logs at {@code level} and above, which the tests' configuration may not show (it
     * logs warnings and errors only); these lines go to the capture only, so the console stays quiet.
     */
    public LogCapture(String loggerName, Level level) {
        super("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY);
        this.loggerName = loggerName;
        start();
        Configuration configuration = context.getConfiguration();
        LoggerConfig inherited = configuration.getLoggerConfig(loggerName);
        LoggerConfig own = LoggerConfig.newBuilder()
                .withLoggerName(loggerName)
                .withLevel(level == null ? inherited.getLevel() : level)
                .withAdditivity(level == null)
                .withConfig(configuration)
                .build();
        own.addAppender(this, null, null);
        configuration.addLogger(loggerName, own);
        context.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(loggerName);
        context.updateLoggers();
        stop();
    }
}
