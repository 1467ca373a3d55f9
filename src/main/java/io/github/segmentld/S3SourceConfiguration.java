package io.github.segmentld;

import java.time.Clock;

import io.github.segmentld.ingest.SegmentFileReader;
import io.github.segmentld.s3.S3Connection;
import io.github.segmentld.s3.S3Inbox;
import io.github.segmentld.s3.S3ObjectReader;
import io.github.segmentld.s3.S3Outcomes;
import io.github.segmentld.s3.S3Settings;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.apache.camel.component.aws2.s3.AWS2S3Component;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The beans of the S3 source (routes/ingest-s3.yaml), made only when its routes start (s3.enabled): a mistake in its
 * settings stops the start with the setting named. Each is named after its method; its {@code @PropertyInject}
 * parameters are keys documented in {@code application.properties}.
 */
@Configuration
public class S3SourceConfiguration {

    /** The objects known to be tagged as read, remembered not to look their tags up again: about 200 bytes each. */
    private static final int REMEMBERED_READ_OBJECTS = 100_000;

    @BindToRegistry(lazy = true)
    public S3Settings s3Settings(@PropertyInject("s3.bucket") String bucket,
                                 @PropertyInject("s3.prefix") String prefix,
                                 @PropertyInject("s3.done-prefix") String donePrefix,
                                 @PropertyInject("s3.failed-prefix") String failedPrefix,
                                 @PropertyInject("s3.after-read") String afterRead) {
        return S3Settings.of(bucket, prefix, donePrefix, failedPrefix, afterRead);
    }

    /** The S3 client, closed with the context. */
    @BindToRegistry(lazy = true)
    public S3Connection s3Connection(@PropertyInject("s3.region") String region,
                                     @PropertyInject("s3.endpoint") String endpoint,
                                     @PropertyInject("s3.access-key") String accessKey,
                                     @PropertyInject("s3.secret-key") String secretKey, CamelContext context,
                                     S3Settings s3Settings) throws Exception {
        // s3Settings: checked before the client is made
        S3Connection connection = new S3Connection(
                context.getComponent("aws2-s3", AWS2S3Component.class).getConfiguration(), region, endpoint, accessKey,
                secretKey);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                connection.close();
            }
        }, true, false);
        return connection;
    }

    @BindToRegistry(lazy = true)
    public S3Inbox s3Inbox(S3Connection s3Connection, S3Settings s3Settings) {
        return new S3Inbox(s3Connection.client(), s3Settings, REMEMBERED_READ_OBJECTS);
    }

    @BindToRegistry(lazy = true)
    public S3ObjectReader s3ObjectReader(S3Connection s3Connection, SegmentFileReader segmentFileReader) {
        return new S3ObjectReader(s3Connection.client(), segmentFileReader);
    }

    @BindToRegistry(lazy = true)
    public S3Outcomes s3Outcomes(S3Connection s3Connection, S3Settings s3Settings, S3Inbox s3Inbox, Clock clock) {
        return new S3Outcomes(s3Connection.client(), s3Settings, s3Inbox, clock);
    }
}
