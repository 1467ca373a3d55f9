package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.alerts.AlertChannels;
import io.github.segmentld.alerts.AlertEvaluator;
import io.github.segmentld.alerts.AlertsHealthCheck;
import io.github.segmentld.config.AlertRule;
import io.github.segmentld.config.AlertRulesFile;
import io.github.segmentld.config.AlertRulesFile.AlertRules;
import io.github.segmentld.config.DestinationInstance;
import io.github.segmentld.config.DestinationInstances;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.observe.DeliveryRates;
import io.github.segmentld.observe.PipelineMetrics;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.http.HttpComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts: the rules file, their evaluation, the channels' health and the HTTP client notices are posted with.
 * Each bean is named after its method and made when first needed; its {@code @PropertyInject} parameters are the
 * {@code alerts.*} keys documented in {@code application.properties}.
 */
@Configuration
public class AlertsConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsConfiguration.class);

    /** The rules of {@code alerts.file}; none when it is empty. */
    @BindToRegistry(lazy = true)
    public AlertRules alertRules(@PropertyInject("alerts.file") String file, DestinationInstances instances,
                                 CamelContext context) {
        if (file.isBlank()) {
            return AlertRules.NONE;
        }
        return new AlertRulesFile(context::resolvePropertyPlaceholders).read(Path.of(file), instances.all());
    }

    @BindToRegistry(lazy = true)
    public AlertChannels alertChannels(AlertRules rules, PipelineMetrics metrics, Clock clock) {
        return new AlertChannels(rules.channels(), metrics, clock);
    }

    @BindToRegistry(lazy = true)
    public AlertEvaluator alertEvaluator(AlertRules rules, DestinationInstances instances, DeliveryRates rates,
                                         RetryQueue retryQueue, AlertChannels channels,
                                         @PropertyInject("alerts.external-url") String externalUrl,
                                         PipelineMetrics metrics, Clock clock) {
        return new AlertEvaluator(rules.rules(), rules.channels(),
                instances.enabled().stream().map(DestinationInstance::name).toList(), rates, retryQueue::depth,
                channels, externalUrl, metrics, new ObjectMapper(), clock);
    }

    @BindToRegistry(lazy = true)
    public AlertsHealthCheck alertsHealthCheck(AlertEvaluator evaluator, AlertChannels channels) {
        return new AlertsHealthCheck(evaluator, channels);
    }

    /**
     * The HTTP client of alert notices ({@code alert-http:} endpoints): its own connections and timeouts, so that a
     * slow channel takes none of LaunchDarkly's.
     */
    @BindToRegistry(value = "alert-http", lazy = true)
    public HttpComponent alertHttp(@PropertyInject("alerts.notice.timeout-ms") long timeoutMillis) {
        HttpComponent http = new HttpComponent();
        http.setConnectTimeout(timeoutMillis);
        http.setResponseTimeout(timeoutMillis);
        http.setSoTimeout(timeoutMillis);
        // the route's redeliveries are the retries
        http.setAutomaticRetriesDisabled(true);
        http.setMaxTotalConnections(4);
        http.setConnectionsPerRoute(2);
        return http;
    }

    /** The rules are read at start-up: a mistake in the file stops the application before anything is accepted. */
    @Override
    public void configure(CamelContext context) {
        AlertRules rules = context.getRegistry().lookupByNameAndType("alertRules", AlertRules.class);
        if (!rules.rules().isEmpty()) {
            LOG.info("Alert rules: {} ({} channels besides the log)", String.join(", ", rules.rules().stream()
                    .map(AlertRule::name).toList()), rules.channels().size());
        }
    }
}
