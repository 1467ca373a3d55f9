package io.github.segmentld.mapping;

import java.time.Duration;

/**
 * A destination instance's insert function, as its mappings file names it: code of the team's own that runs on each
 * event meant for the instance before its mappings, and returns the event, a changed event, or nothing (the event is
 * then filtered for the instance). Either a Camel route of the team's own ({@code direct:NAME}, from the folder of
 * {@code routes.extra-dir}) or a Groovy expression.
 *
 * @param destination the instance it runs for
 * @param language    {@link #DIRECT} (a route) or {@link #GROOVY} (an expression)
 * @param code        the route's direct name, or the expression
 * @param timeout     how long it may take on one event; longer, and the event is rejected for the instance
 */
public record InsertFunction(String destination, String language, String code, Duration timeout) {

    public static final String DIRECT = "direct";
    public static final String GROOVY = "groovy";

    public InsertFunction {
        if (!language.equals(DIRECT) && !language.equals(GROOVY)) {
            throw new IllegalArgumentException("an insert function is a direct route or a groovy expression, not "
                    + language);
        }
    }

    /** The endpoint a route function is called at. */
    public String endpointUri() {
        return DIRECT + ":" + code;
    }

    /** How logs, rejections and the preview name it: {@code direct:enrich-plan}, or {@code groovy}. */
    public String describe() {
        return language.equals(DIRECT) ? endpointUri() : GROOVY;
    }
}
