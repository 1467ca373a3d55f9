package io.github.segmentld.mapping;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import groovy.lang.Script;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.EndpointHelper;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.codehaus.groovy.control.CompilationFailedException;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Runs the destination instances' insert functions, each on a copy of the event, within its time limit.
 * <p>
 * The function sees the event as a {@code java.util.Map} (nested maps and lists, JSON's strings, numbers, booleans and
 * nulls), a fresh copy for each call, with the instance's name in the header {@code destination}: simple's
 * {@code ${body[traits][plan]}} and Groovy's {@code body.traits?.plan} read it, and changing it changes nothing of the
 * event the other instances see. What it returns is the event its instance's mappings see: a map, a JSON string (or
 * bytes) or a Jackson object node; nothing (null, an empty string) filters the event for the instance. An exception,
 * or anything that is not a JSON object, rejects the event for the instance.
 * <p>
 * Functions run on a pool of {@code threads} threads, and the caller waits for each at most its limit: past it the
 * function is interrupted and the event rejected. A function that ignores the interruption keeps its thread, so the
 * pool and its queue are bounded (as many waiting as running); once they are full, a call fails at once, and one that
 * waits in the queue until its limit fails saying the threads are busy. A stuck function therefore costs threads up to
 * that bound, never more, and never holds the pipeline beyond its limit.
 */
public final class InsertFunctions {

    /** The header that names the destination instance the function runs for. */
    private static final String DESTINATION_HEADER = "destination";

    /** No insert function at all. */
    public static final InsertFunctions NONE = new InsertFunctions(null, Map.of(), 0, null);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final CamelContext context;
    /** The functions by destination instance, each with its compiled expression (none for a route). */
    private final Map<String, Compiled> functions;
    private final int threads;
    private final ExecutorService pool;
    private volatile ProducerTemplate template;

    private record Compiled(InsertFunction function, Class<? extends Script> expression) {
    }

    private InsertFunctions(CamelContext context, Map<String, Compiled> functions, int threads, ExecutorService pool) {
        this.context = context;
        this.functions = functions;
        this.threads = threads;
        this.pool = pool;
    }

    /**
     * The threads the functions run on, as many waiting as running; idle threads end after a minute. One pool serves
     * every version of the mappings, so that a reload does not add threads.
     *
     * @param threads the most functions running at once (the {@code insert-functions.threads} setting)
     */
    public static ExecutorService pool(CamelContext context, int threads) {
        if (threads < 1) {
            throw new IllegalStateException("insert-functions.threads must be at least 1, was " + threads);
        }
        return context.getExecutorServiceManager().newThreadPool(InsertFunctions.class, "InsertFunction",
                new ThreadPoolProfileBuilder("insert-functions").poolSize(threads).maxPoolSize(threads)
                        .maxQueueSize(threads).keepAliveTime(60L, TimeUnit.SECONDS).allowCoreThreadTimeOut(true)
                        .rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build());
    }

    /** Compiles the functions' expressions, to run on a pool of their own of {@code threads} threads. */
    public static InsertFunctions compile(CamelContext context, List<InsertFunction> functions, int threads) {
        return functions.isEmpty() ? NONE : compile(context, functions, threads, pool(context, threads));
    }

    /**
     * Compiles the functions' expressions.
     *
     * @param pool    the threads they run on ({@link #pool})
     * @param threads the size of that pool
     * @throws IllegalStateException naming the destination instance of an expression that does not compile
     */
    public static InsertFunctions compile(CamelContext context, List<InsertFunction> functions, int threads,
                                          ExecutorService pool) {
        if (functions.isEmpty()) {
            return NONE;
        }
        Map<String, Compiled> compiled = new LinkedHashMap<>();
        for (InsertFunction function : functions) {
            Class<? extends Script> expression = null;
            if (function.language().equals(InsertFunction.GROOVY)) {
                // Compiled once, here, rather than by Camel's groovy language on the first event (which would spend
                // the first event's time limit on it); it runs with the same variables.
                try {
                    expression = new GroovyShell(InsertFunctions.class.getClassLoader()).parse(function.code())
                            .getClass();
                } catch (CompilationFailedException e) {
                    throw new IllegalStateException("Destination '" + function.destination() + "': insert-function"
                            + " groovy does not compile: " + e.getMessage().strip());
                }
            }
            compiled.put(function.destination(), new Compiled(function, expression));
        }
        return new InsertFunctions(context, compiled, threads, pool);
    }

    public boolean isEmpty() {
        return functions.isEmpty();
    }

    /** The insert function of the destination instance; null when it has none. */
    public InsertFunction of(String destination) {
        Compiled compiled = functions.get(destination);
        return compiled == null ? null : compiled.function();
    }

    /** The route functions whose {@code direct:} endpoint no route of the context reads from. */
    public List<InsertFunction> withoutRoute() {
        List<RouteDefinition> routes = context == null ? List.of()
                : context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions();
        return functions.values().stream().map(Compiled::function)
                .filter(function -> function.language().equals(InsertFunction.DIRECT))
                .filter(function -> routes.stream().noneMatch(route -> readsFrom(route, function.endpointUri())))
                .toList();
    }

    private boolean readsFrom(RouteDefinition route, String uri) {
        String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
        if (from == null) {
            return false;
        }
        try {
            return EndpointHelper.matchEndpoint(context, context.resolvePropertyPlaceholders(from), uri);
        } catch (IllegalArgumentException templated) {
            // a route made from a template names its parameters, which only the template resolves
            return false;
        }
    }

    /**
     * Runs the instance's function on the event, which it does not change.
     *
     * @return the outcome; the event itself when the instance has no function
     */
    public InsertOutcome apply(String destination, ObjectNode event) {
        Compiled compiled = functions.get(destination);
        if (compiled == null) {
            return InsertOutcome.of(event);
        }
        InsertFunction function = compiled.function();
        AtomicBoolean started = new AtomicBoolean();
        FutureTask<InsertOutcome> task = new FutureTask<>(() -> {
            started.set(true);
            return outcome(call(compiled, MAPPER.convertValue(event, MAP)), function);
        });
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            return InsertOutcome.failed(busy(function, "was not run"));
        }
        long limit = function.timeout().toMillis();
        try {
            return task.get(limit, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            if (pool instanceof ThreadPoolExecutor executor) {
                executor.remove(task);
            }
            return InsertOutcome.failed(started.get()
                    ? "the insert function " + function.describe() + " did not return within " + limit + " ms"
                    : busy(function, "did not start within " + limit + " ms"));
        } catch (ExecutionException e) {
            return InsertOutcome.failed("the insert function " + function.describe() + " failed: "
                    + unwrapped(e.getCause()));
        } catch (InterruptedException e) {
            // the pipeline is stopping: the chunk fails and is read again, the event is not rejected
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the insert function of destination '"
                    + function.destination() + "' ran", e);
        }
    }

    private String busy(InsertFunction function, String what) {
        return "the insert function " + function.describe() + " " + what + ": the " + threads + " threads for insert"
                + " functions are all busy (functions still running past their limit hold theirs; see"
                + " insert-functions.threads)";
    }

    private Object call(Compiled compiled, Map<String, Object> body) throws Exception {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader(DESTINATION_HEADER, compiled.function().destination());
        Object result;
        if (compiled.expression() != null) {
            // Camel's variables: body, headers, exchange, camelContext...
            Map<String, Object> variables = new HashMap<>();
            ExchangeHelper.populateVariableMap(exchange, variables, true);
            result = InvokerHelper.createScript(compiled.expression(), new Binding(variables)).run();
        } else {
            producer().send(compiled.function().endpointUri(), exchange);
            result = exchange.getMessage().getBody();
        }
        if (exchange.getException() != null) {
            throw exchange.getException();
        }
        return result;
    }

    private ProducerTemplate producer() throws Exception {
        ProducerTemplate current = template;
        if (current == null) {
            synchronized (this) {
                if (template == null) {
                    template = context.createProducerTemplate();
                    context.addService(template, true, false);
                }
                current = template;
            }
        }
        return current;
    }

    /** The event a function's result is, or why it is none. */
    static InsertOutcome outcome(Object result, InsertFunction function) {
        JsonNode event;
        try {
            if (result instanceof JsonNode node) {
                event = node;
            } else if (result instanceof String || result instanceof byte[]) {
                String text = result instanceof String string ? string
                        : new String((byte[]) result, StandardCharsets.UTF_8);
                event = text.isBlank() ? null : MAPPER.readTree(text);
            } else if (result instanceof Map || result instanceof Collection || result instanceof Number
                    || result instanceof Boolean) {
                event = MAPPER.valueToTree(result);
            } else if (result == null) {
                event = null;
            } else {
                return InsertOutcome.failed("the insert function " + function.describe() + " returned a "
                        + result.getClass().getName() + ", not an event (a JSON object)");
            }
        } catch (IOException | IllegalArgumentException e) {
            return InsertOutcome.failed("the insert function " + function.describe() + " returned what is not JSON: "
                    + e.getMessage());
        }
        if (event == null || event.isNull() || event.isMissingNode()) {
            return InsertOutcome.nothing();
        }
        if (!event.isObject()) {
            return InsertOutcome.failed("the insert function " + function.describe() + " returned " + abbreviated(event)
                    + ", not an event (a JSON object)");
        }
        return InsertOutcome.of((ObjectNode) event);
    }

    private static String abbreviated(JsonNode value) {
        String text = value.toString();
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    /** The failure itself rather than Camel's wrappers around it. */
    private static Throwable unwrapped(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof RuntimeCamelException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
