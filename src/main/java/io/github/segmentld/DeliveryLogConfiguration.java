package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.segmentld.deliverylog.DeliveryAttempts;
import io.github.segmentld.deliverylog.DeliveryErrors;
import io.github.segmentld.deliverylog.DeliveryLog;
import io.github.segmentld.deliverylog.DeliveryLogDatabase;
import io.github.segmentld.deliverylog.DeliveryLogQueries;
import io.github.segmentld.deliverylog.DeliveryOverview;
import io.github.segmentld.deliverylog.DeliveryQueues;
import io.github.segmentld.deliverylog.DeliveryReplay;
import io.github.segmentld.deliverylog.DeliveryTimeline;
import io.github.segmentld.deliverylog.Redaction;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.launchdarkly.RetryQueue;
import io.github.segmentld.observe.PipelineMetrics;
import io.github.segmentld.kafka.KafkaDeadLetters;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;

/**
 * The delivery log: its database, the writer the routes hand records to, the notifier of each request to LaunchDarkly,
 * and the reports of its API (search, overview, timeline, errors, queues, replay). Each bean is named after its method
 * and made when first needed; its {@code @PropertyInject} parameters are the {@code delivery-log.*} keys documented in
 * {@code application.properties}.
 */
@Configuration
public class DeliveryLogConfiguration implements CamelConfiguration {

    @BindToRegistry(lazy = true)
    public DeliveryLogDatabase deliveryLogDatabase(@PropertyInject("delivery-log.jdbc-url") String jdbcUrl,
                                                   @PropertyInject("delivery-log.file") String file,
                                                   @PropertyInject("delivery-log.user") String user,
                                                   @PropertyInject("delivery-log.password") String password,
                                                   Clock clock) {
        return new DeliveryLogDatabase(new DeliveryLogDatabase.Settings(jdbcUrl, Path.of(file), user, password),
                clock);
    }

    @BindToRegistry(lazy = true)
    public Redaction redaction(@PropertyInject("delivery-log.redact") boolean redact) {
        return new Redaction(redact);
    }

    /** A service of the context: its writer stops, having written what waits, after the routes. */
    @BindToRegistry(lazy = true)
    public DeliveryLog deliveryLog(@PropertyInject("delivery-log.enabled") boolean enabled,
                                   @PropertyInject("delivery-log.max-pending-bytes") long maxPendingBytes,
                                   @PropertyInject("delivery-log.retention-days") long retentionDays,
                                   @PropertyInject("delivery-log.max-bytes") long maxBytes,
                                   DeliveryLogDatabase database, Redaction redaction,
                                   FailureDescriptions failures, PipelineMetrics metrics, Clock clock,
                                   CamelContext context) throws Exception {
        DeliveryLog log = new DeliveryLog(new DeliveryLog.Settings(enabled, maxPendingBytes,
                Duration.ofDays(retentionDays), maxBytes), database, redaction, failures, metrics, clock);
        context.addService(log, true, false);
        return log;
    }

    @BindToRegistry(lazy = true)
    public DeliveryLogQueries deliveryLogQueries(DeliveryLogDatabase database, Redaction redaction) {
        return new DeliveryLogQueries(database, redaction);
    }

    @BindToRegistry(lazy = true)
    public DeliveryErrors deliveryErrors(DeliveryLogDatabase database, Clock clock) {
        return new DeliveryErrors(database, clock);
    }

    @BindToRegistry(lazy = true)
    public DeliveryQueues deliveryQueues(RetryQueue retryQueue,
                                         @PropertyInject("inbox.dir") String inboxDir,
                                         @PropertyInject("store.dead-letter-dir") String deadLetterDir,
                                         @PropertyInject("kafka.enabled") boolean kafka,
                                         @PropertyInject("kafka.dead-letter-topic") String deadLetterTopic,
                                         Clock clock) {
        // the work folder is where the inbox lies (work/inbox by default), as the done and failed folders are beside it
        Path workFolder = Path.of(inboxDir).toAbsolutePath().normalize().getParent();
        return new DeliveryQueues(retryQueue, workFolder, Path.of(deadLetterDir),
                StoreConfiguration.deadLetterTopic(kafka, deadLetterTopic), clock);
    }

    @BindToRegistry(lazy = true)
    public DeliveryReplay deliveryReplay(DeliveryLogDatabase database,
                                         @PropertyInject("store.dead-letter-dir") String deadLetterDir,
                                         @PropertyInject("inbox.dir") String inboxDir,
                                         @PropertyInject("inbox.done-dir") String doneDir,
                                         @PropertyInject("kafka.enabled") boolean kafka,
                                         @PropertyInject("kafka.dead-letter-topic") String deadLetterTopic,
                                         @PropertyInject("delivery-log.replay-page-size") int pageSize,
                                         CamelContext context) {
        Path inbox = Path.of(inboxDir);
        KafkaDeadLetters onKafka = StoreConfiguration.deadLetterTopic(kafka, deadLetterTopic) == null ? null
                : context.getRegistry().lookupByNameAndType("kafkaDeadLetters", KafkaDeadLetters.class);
        return new DeliveryReplay(database, Path.of(deadLetterDir), inbox, inbox.resolve(doneDir).normalize(),
                onKafka, pageSize);
    }

    @BindToRegistry(lazy = true)
    public DeliveryOverview deliveryOverview(DeliveryLogDatabase database, Clock clock) {
        return new DeliveryOverview(database, clock);
    }

    @BindToRegistry(lazy = true)
    public DeliveryTimeline deliveryTimeline(DeliveryLogDatabase database, Clock clock) {
        return new DeliveryTimeline(database, clock);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        DeliveryLog log = context.getRegistry().lookupByNameAndType("deliveryLog", DeliveryLog.class);
        if (log.enabled()) {
            context.getManagementStrategy().addEventNotifier(new DeliveryAttempts(log,
                    context.getRegistry().lookupByNameAndType("failureDescriptions", FailureDescriptions.class)));
        }
    }
}
