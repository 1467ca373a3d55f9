package io.github.segmentld.contract;

import java.util.Properties;

import io.github.segmentld.Application;
import io.github.segmentld.TestInbox;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/** The whole application against a LaunchDarkly stand-in server, one fresh application and work folder per test. */
abstract class ContractTestSupport extends CamelMainTestSupport {

    // Set while the superclass constructor configures the context, so no field initialiser may reset it.
    protected TestInbox inbox;

    /** The stand-in's base URL; called while the context is configured. */
    protected abstract String eventsBaseUrl();

    /** Settings a test class changes on top of the test defaults. */
    protected void adjust(Properties properties) {
    }

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        inbox = TestInbox.create(getClass().getSimpleName());
        Properties properties = inbox.properties(eventsBaseUrl());
        adjust(properties);
        context.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    protected double metric(String name, String... tags) {
        return context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class).count(name, tags);
    }
}
