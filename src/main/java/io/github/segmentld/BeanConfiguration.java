package io.github.segmentld;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.segmentld.actions.Actions;
import io.github.segmentld.actions.AliasUser;
import io.github.segmentld.actions.TrackEvent;
import io.github.segmentld.ingest.DoneRetention;
import io.github.segmentld.ingest.SegmentFileReader;
import io.github.segmentld.ingest.WebhookAuthentication;
import io.github.segmentld.ingest.WriteKeys;
import io.github.segmentld.launchdarkly.FailureDescriptions;
import io.github.segmentld.mapping.ConvertedChunk;
import io.github.segmentld.undelivered.FailedInputRecorder;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;

/**
 * The beans that need nothing but settings: each is named after its method, and its parameters are the keys of
 * {@code application.properties} it is made from (documented there). {@link AppConfiguration} wires the rest, whose
 * making is more than wiring.
 */
@Configuration
public class BeanConfiguration {

    @BindToRegistry
    public Clock clock() {
        return Clock.systemUTC();
    }

    @BindToRegistry
    public SegmentFileReader segmentFileReader(
            @PropertyInject("pipeline.chunk-size") int chunkSize,
            @PropertyInject("inbox.max-line-bytes") int maxLineBytes,
            @PropertyInject("inbox.progress-interval-seconds") long progressSeconds) {
        return new SegmentFileReader(new ObjectMapper(), chunkSize, maxLineBytes, Duration.ofSeconds(progressSeconds));
    }

    @BindToRegistry
    public FailedInputRecorder failedInputRecorder(@PropertyInject("inbox.dir") String inbox,
                                                   @PropertyInject("inbox.failed-dir") String failedDir, Clock clock) {
        return new FailedInputRecorder(Path.of(inbox), failedDir, clock);
    }

    @BindToRegistry
    public DoneRetention doneRetention(@PropertyInject("inbox.dir") String inbox,
                                       @PropertyInject("inbox.done-dir") String doneDir,
                                       @PropertyInject("inbox.done-retention-hours") long retentionHours,
                                       @PropertyInject("inbox.done-max-bytes") long maxBytes,
                                       @PropertyInject("inbox.done-min-free-bytes") long minFreeBytes, Clock clock) {
        return new DoneRetention(Path.of(inbox).resolve(doneDir).normalize(), Duration.ofHours(retentionHours),
                maxBytes, minFreeBytes, clock);
    }

    @BindToRegistry
    public WriteKeys writeKeys(@PropertyInject("http.write-keys") String keys,
                               @PropertyInject("http.auth-enabled") boolean required) {
        return new WriteKeys(keys, required);
    }

    @BindToRegistry
    public WebhookAuthentication webhookAuthentication(
            @PropertyInject("http.webhook-token") String token,
            @PropertyInject("http.webhook-token-header") String tokenHeader,
            @PropertyInject("http.webhook-secret") String secret,
            @PropertyInject("http.webhook-signed-arrays-allowed") boolean signedArraysAllowed) {
        return new WebhookAuthentication(token, tokenHeader, secret, signedArraysAllowed);
    }

    @BindToRegistry
    public FailureDescriptions failureDescriptions(
            @PropertyInject("camel.component.http.connect-timeout") long connectTimeoutMillis,
            @PropertyInject("camel.component.http.response-timeout") long responseTimeoutMillis) {
        return new FailureDescriptions(Duration.ofMillis(connectTimeoutMillis),
                Duration.ofMillis(responseTimeoutMillis));
    }

    /** The router's split collects what the actions make of a chunk with it. */
    @BindToRegistry
    public ConvertedChunk.Aggregation convertedChunks() {
        return new ConvertedChunk.Aggregation();
    }

    /** The router's destinations, one per action. */
    @BindToRegistry
    public TrackEvent trackEvent() {
        return Actions.TRACK_EVENT;
    }

    @BindToRegistry
    public AliasUser aliasUser() {
        return Actions.ALIAS_USER;
    }
}
