package io.github.segmentld;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.UnitOfWorkFactory;
import org.junit.jupiter.api.Test;

/** MDC logging follows the console's format unless camel.main.use-mdc-logging is set. */
class ExchangeLogFieldsTest {

    @Test
    void textLinesLeaveMdcLoggingOffAndJsonLinesTurnItOn() {
        CamelContext text = installed(Map.of(), new Properties());
        assertThat(text.isUseMDCLogging()).isNotEqualTo(Boolean.TRUE);
        assertThat(text.getCamelContextExtension().getContextPlugin(UnitOfWorkFactory.class))
                .isInstanceOf(ExchangeLogFields.class);

        assertThat(installed(Map.of("LOG_FORMAT", "json"), new Properties()).isUseMDCLogging()).isTrue();
        assertThat(installed(Map.of("LOG_FORMAT", "text"), new Properties()).isUseMDCLogging()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void theSettingsAsShippedLeaveItToTheLogFormat() {
        assertThat(SettingsFiles.load("prod")).doesNotContainKey("camel.main.use-mdc-logging");
    }

    @Test
    void theSettingDecidesWhenItIsSet() {
        Properties off = new Properties();
        off.setProperty("camel.main.use-mdc-logging", "false");
        assertThat(installed(Map.of("LOG_FORMAT", "json"), off).isUseMDCLogging()).isNotEqualTo(Boolean.TRUE);
    }

    private static CamelContext installed(Map<String, String> environment, Properties settings) {
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setOverrideProperties(settings);
        ExchangeLogFields.install(context, environment);
        return context;
    }
}
