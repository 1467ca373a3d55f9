package io.github.segmentld.mapping;

import static io.github.segmentld.Json.object;
import static io.github.segmentld.Json.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.model.EventChunk;
import io.github.segmentld.model.InputSource;
import io.github.segmentld.model.SegmentEvent;
import io.github.segmentld.observe.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Insert functions run on a copy of the event and say what they made of it: a changed event, nothing, or why they
 * failed; a stuck function holds at most the pool's threads. The matcher gives each instance what its function made.
 */
class InsertFunctionsTest {

    private static final DefaultCamelContext CONTEXT = new DefaultCamelContext();
    /** Released by the test that holds a function past its limit. */
    private static final CountDownLatch RELEASE = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        // a lambda, not a RouteBuilder class of the package, which the application's tests would load as theirs
        RouteBuilder.addRoutes(CONTEXT, routes -> routes.from("direct:mark").choice()
                .when(routes.simple("${body[userId]} == 'internal'")).setBody(routes.constant(null))
                .when(routes.simple("${body[userId]} == 'broken'"))
                .throwException(new IllegalArgumentException("no plan"))
                .otherwise()
                .setBody(routes.simple("{\"userId\":\"${body[userId]}\",\"seenBy\":\"${header.destination}\"}")));
        // the README's examples
        PluginHelper.getRoutesLoader(CONTEXT).loadRoutes(PluginHelper.getPackageScanResourceResolver(CONTEXT)
                .findResources("file:docs/insert-functions/*.yaml"));
        CONTEXT.start();
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        CONTEXT.stop();
    }

    /** Holds its thread until the test releases it, whatever interrupts it: a function that never gives up. */
    public static Object holdIgnoringInterrupts(Object body) {
        while (RELEASE.getCount() > 0) {
            try {
                RELEASE.await();
            } catch (InterruptedException ignored) {
                // a stuck function does not care
            }
        }
        return body;
    }

    private static InsertFunction groovy(String destination, String code) {
        return new InsertFunction(destination, InsertFunction.GROOVY, code, Duration.ofSeconds(5));
    }

    private static InsertFunction route(String destination, String name) {
        return new InsertFunction(destination, InsertFunction.DIRECT, name, Duration.ofSeconds(5));
    }

    private static InsertOutcome apply(InsertFunction function, String event) {
        return InsertFunctions.compile(CONTEXT, List.of(function), 2).apply(function.destination(), object(event));
    }

    @Test
    void anExpressionChangesACopyOfTheEvent() {
        ObjectNode event = object("{'userId':'u1','properties':{'total':3}}");
        InsertOutcome outcome = InsertFunctions.compile(CONTEXT, List.of(groovy("d",
                "body.properties.plan = 'gold'; body")), 1).apply("d", event);

        assertThat(outcome.event()).isEqualTo(parse("{'userId':'u1','properties':{'total':3,'plan':'gold'}}"));
        assertThat(event).isEqualTo(parse("{'userId':'u1','properties':{'total':3}}"));
    }

    @Test
    void nothingFiltersTheEventAndAFailureOrANonObjectRejectsIt() {
        assertThat(apply(groovy("d", "null"), "{'userId':'u1'}").filtered()).isTrue();
        assertThat(apply(groovy("d", "''"), "{'userId':'u1'}").filtered()).isTrue();
        assertThat(apply(groovy("d", "throw new IllegalStateException('no plan for ' + body.userId)"),
                "{'userId':'u1'}").failure())
                .isEqualTo("the insert function groovy failed: java.lang.IllegalStateException: no plan for u1");
        assertThat(apply(groovy("d", "[1, 2]"), "{'userId':'u1'}").failure())
                .isEqualTo("the insert function groovy returned [1,2], not an event (a JSON object)");
        assertThat(apply(groovy("d", "'{\"userId\":\"u2\"}'"), "{'userId':'u1'}").event())
                .isEqualTo(parse("{'userId':'u2'}"));
    }

    @Test
    void aRouteGetsTheEventAndTheDestinationAndItsBodyIsTheEvent() {
        InsertFunction mark = route("production", "mark");

        assertThat(apply(mark, "{'userId':'u1'}").event()).isEqualTo(parse("{'userId':'u1','seenBy':'production'}"));
        assertThat(apply(mark, "{'userId':'internal'}").filtered()).isTrue();
        assertThat(apply(mark, "{'userId':'broken'}").failure())
                .isEqualTo("the insert function direct:mark failed: java.lang.IllegalArgumentException: no plan");
        assertThat(InsertFunctions.compile(CONTEXT, List.of(mark, route("staging", "nowhere")), 1).withoutRoute())
                .extracting(InsertFunction::destination).containsExactly("staging");
    }

    @Test
    void theReadmesRoutesAddThePlanAndDropTheCompanysOwnPeople() {
        InsertFunction enrich = route("production", "enrich-plan");
        InsertFunction drop = route("production", "drop-internal");

        assertThat(apply(enrich, "{'userId':'u1','context':{'traits':{'plan':'pro'}},'properties':{'total':3}}")
                .event()).isEqualTo(parse("{'userId':'u1','context':{'traits':{'plan':'pro'}},"
                + "'properties':{'total':3,'plan':'pro'}}"));
        assertThat(apply(enrich, "{'userId':'u1'}").event())
                .isEqualTo(parse("{'userId':'u1','properties':{'plan':'free'}}"));
        assertThat(apply(drop, "{'userId':'u1','context':{'traits':{'email':'ada@example.com'}}}").filtered()).isTrue();
        assertThat(apply(drop, "{'userId':'u1','context':{'traits':{'email':'ada@example.org'}}}").event())
                .isEqualTo(parse("{'userId':'u1','context':{'traits':{'email':'ada@example.org'}}}"));
        assertThat(apply(drop, "{'userId':'u1'}").event()).isEqualTo(parse("{'userId':'u1'}"));
    }

    @Test
    void anExpressionThatDoesNotCompileIsRefusedNamingTheDestination() {
        assertThatThrownBy(() -> InsertFunctions.compile(CONTEXT, List.of(groovy("production", "body.(")), 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Destination 'production': insert-function groovy does not compile: ");
    }

    @Test
    void aStuckFunctionFailsItsEventAndHoldsNoMoreThanThePoolsThreads() {
        InsertFunction stuck = new InsertFunction("d", InsertFunction.GROOVY,
                "io.github.segmentld.mapping.InsertFunctionsTest.holdIgnoringInterrupts(body)", Duration.ofMillis(100));
        InsertFunctions functions = InsertFunctions.compile(CONTEXT, List.of(stuck), 1);

        assertThat(functions.apply("d", object("{'userId':'u1'}")).failure())
                .isEqualTo("the insert function groovy did not return within 100 ms");
        // its one thread is still held: the next call waits in the queue until its own limit
        assertThat(functions.apply("d", object("{'userId':'u2'}")).failure())
                .startsWith("the insert function groovy did not start within 100 ms: the 1 threads for insert"
                        + " functions are all busy");
        RELEASE.countDown();
        assertThat(functions.apply("d", object("{'userId':'u3'}")).event()).isEqualTo(parse("{'userId':'u3'}"));
    }

    @Test
    void eachInstancesMappingsSeeWhatItsFunctionMadeAndTheOthersTheEventAsItCame() {
        List<Mapping> mappings = new ArrayList<>(Actions.presets("enriched"));
        mappings.addAll(Actions.presets("filtering"));
        mappings.addAll(Actions.presets("plain"));
        InsertFunctions functions = InsertFunctions.compile(CONTEXT, List.of(
                groovy("enriched", "body.properties = [plan: 'gold']; body"),
                groovy("filtering", "body.userId == 'internal' ? null : body.userId == 'broken' ? body.x.y : body")),
                1);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MappingMatcher matcher = new MappingMatcher(mappings, Map.of(), functions, new PipelineMetrics(registry));
        SegmentEvent user = new SegmentEvent(object("{'type':'track','userId':'u1','event':'E'}"), 1);
        SegmentEvent internal = new SegmentEvent(object("{'type':'track','userId':'internal','event':'E'}"), 2);
        SegmentEvent broken = new SegmentEvent(object("{'type':'track','userId':'broken','event':'E'}"), 3);

        MatchedChunk matched = matcher.match(new EventChunk(new InputSource("test", "test", "line", 0), 0,
                List.of(user, internal, broken)));

        List<String> seen = new ArrayList<>();
        matched.forEach(group -> group.events().forEach(event -> seen.add(event.mapping().destination() + " "
                + event.json().path("userId").asText() + " " + event.json().path("properties"))));
        assertThat(seen).containsExactly("enriched u1 {\"plan\":\"gold\"}", "enriched internal {\"plan\":\"gold\"}",
                "enriched broken {\"plan\":\"gold\"}", "filtering u1 ", "plain u1 ", "plain internal ",
                "plain broken ");
        assertThat(user.json()).isEqualTo(parse("{'type':'track','userId':'u1','event':'E'}"));
        assertThat(registry.find("segment.events.filtered").tags("reason", "insert_function").counter().count())
                .isEqualTo(1);
        assertThat(matcher.whyFiltered(internal, true, matched.inserted()))
                .containsExactly(new MappingMatcher.Filtering("filtering", InsertOutcome.INSERT_FUNCTION));
        assertThat(matched.inserted().failures()).singleElement().satisfies(failure -> {
            assertThat(failure.event()).isSameAs(broken);
            assertThat(failure.destination()).isEqualTo("filtering");
            assertThat(failure.mapping()).isNull();
            assertThat(failure.reason())
                    .startsWith("the insert function groovy failed: java.lang.NullPointerException");
        });
    }
}
