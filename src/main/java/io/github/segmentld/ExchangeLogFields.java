package io.github.segmentld;

import java.util.HashMap;
import java.util.Map;

import io.github.segmentld.launchdarkly.LaunchDarklyBatch;
import io.github.segmentld.model.EventChunk;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.impl.engine.MDCUnitOfWork;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.slf4j.MDC;

/**
 * Camel's MDC logging ({@code camel.main.use-mdc-logging}: route, exchange, correlation IDs) with the project's own
 * fields: the input an exchange works on ({@value #INPUT}), and the destination ({@value #DESTINATION}) and payload ID
 * ({@value #PAYLOAD_ID}) of the LaunchDarkly batch it carries. Every line logged while one of the exchange's steps runs
 * carries them, whichever class logs it and on whichever thread.
 * <p>
 * They are taken from the exchange's properties before each step and removed after it, exactly when Camel sets and
 * removes its own keys: the values live on the exchange, not on a pooled thread, so a line of one exchange never shows
 * another's (a chunk's worker thread takes its input from the chunk it works on, not from what it ran before).
 */
public final class ExchangeLogFields implements UnitOfWorkFactory {

    /**
     * The input: a file's name (an inbox file or a spool segment), an S3 object's URL, or a Kafka partition and
     * offsets.
     */
    public static final String INPUT = "segment.input";
    /** The destination instance of the batch. */
    public static final String DESTINATION = "launchdarkly.destination";
    /** The batch's payload ID, as LaunchDarkly receives it in {@code X-LaunchDarkly-Payload-ID}. */
    public static final String PAYLOAD_ID = "launchdarkly.payload_id";
    /** The property in which the file and S3 routes keep the name of their input, escaped (routes/ingest-*.yaml). */
    private static final String FILE_NAME_PROPERTY = "shownName";
    private static final String[] KEYS = {INPUT, DESTINATION, PAYLOAD_ID};
    private static final String USE_MDC_LOGGING = "camel.main.use-mdc-logging";

    /**
     * Installs the fields. Unless {@code camel.main.use-mdc-logging} says otherwise, MDC logging follows the console's
     * format (log4j2.properties): on when it writes JSON lines, which carry the MDC as fields; off with text lines,
     * which do not show it, as setting the MDC at every step of every exchange costs about a fifth of the file path's
     * rate.
     */
    static void install(CamelContext context, Map<String, String> environment) {
        if (context.getPropertiesComponent().resolveProperty(USE_MDC_LOGGING).isEmpty()
                && ("json".equals(environment.get("LOG_FORMAT")) || "json".equals(System.getProperty("log.format")))) {
            context.setUseMDCLogging(true);
        }
        context.getCamelContextExtension().addContextPlugin(UnitOfWorkFactory.class, new ExchangeLogFields());
    }

    @Override
    public UnitOfWork createUnitOfWork(Exchange exchange) {
        CamelContext context = exchange.getContext();
        if (!Boolean.TRUE.equals(context.isUseMDCLogging())) {
            return new DefaultUnitOfWork(exchange, context.getInflightRepository(),
                    Boolean.TRUE.equals(context.isAllowUseOriginalMessage()),
                    Boolean.TRUE.equals(context.isUseBreadcrumb()));
        }
        return new FieldsUnitOfWork(exchange, current());
    }

    /** The project's keys as the MDC of this thread holds them now. */
    private static Map<String, String> current() {
        Map<String, String> values = new HashMap<>(4);
        for (String key : KEYS) {
            values.put(key, MDC.get(key));
        }
        return values;
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static final class FieldsUnitOfWork extends MDCUnitOfWork {

        /** The project's keys as the MDC held them before, to be put back when this unit of work is done. */
        private final Map<String, String> before;

        FieldsUnitOfWork(Exchange exchange, Map<String, String> before) {
            super(exchange, exchange.getContext().getInflightRepository(),
                    exchange.getContext().getMDCLoggingKeysPattern(),
                    Boolean.TRUE.equals(exchange.getContext().isAllowUseOriginalMessage()),
                    Boolean.TRUE.equals(exchange.getContext().isUseBreadcrumb()));
            this.before = before;
        }

        /** The unit of work of a sub-exchange (a chunk of a file, a batch of a chunk). */
        @Override
        public UnitOfWork newInstance(Exchange exchange) {
            return new FieldsUnitOfWork(exchange, current());
        }

        // Called by Camel's constructor too, before this class's fields are set: it uses none of them.
        @Override
        protected void prepareMDC(Exchange exchange) {
            super.prepareMDC(exchange);
            EventChunk chunk = exchange.getProperty(EventChunk.PROPERTY, EventChunk.class);
            put(INPUT, chunk != null ? chunk.source().name() : exchange.getProperty(FILE_NAME_PROPERTY, String.class));
            LaunchDarklyBatch batch = exchange.getProperty(LaunchDarklyBatch.PROPERTY, LaunchDarklyBatch.class);
            put(DESTINATION, batch == null ? null : batch.destination().name());
            put(PAYLOAD_ID, batch == null ? null : batch.payloadId());
        }

        @Override
        public void clear() {
            super.clear();
            before.forEach(ExchangeLogFields::put);
        }
    }
}
