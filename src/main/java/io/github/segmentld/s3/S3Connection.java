package io.github.segmentld.s3;

import java.net.URI;
import java.net.URISyntaxException;

import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.client.AWS2S3ClientFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 client of the source, made as Camel's aws2-s3 component makes its own: from the component's settings
 * ({@code camel.component.aws2-s3.*}: a proxy, a profile's credentials, session credentials, ...), with the region or
 * the endpoint of an S3-compatible store (path-style) and the credentials of the s3.* settings on top. It is not a bean
 * of the registry itself: the component would take it for its own client, and the routes' aws2-s3 endpoints with it.
 */
public final class S3Connection implements AutoCloseable {

    /** The region given to an S3-compatible store when none is set: such stores take any. */
    private static final String ANY_REGION = "us-east-1";

    private final S3Client client;

    /**
     * @param region    empty: the AWS SDK's default (AWS_REGION, the profile), or any with an endpoint
     * @param endpoint  empty: AWS itself; else the URL of an S3-compatible store (MinIO, S3Proxy), addressed path-style
     * @param accessKey empty with the secret key: the AWS SDK's default credentials (environment, profile, instance
     *                  role); set, both must be
     */
    public S3Connection(AWS2S3Configuration component, String region, String endpoint, String accessKey,
                        String secretKey) {
        AWS2S3Configuration configuration = component.copy();
        if (!region.isBlank()) {
            configuration.setRegion(region.strip());
        }
        if (!endpoint.isBlank()) {
            configuration.setOverrideEndpoint(true);
            configuration.setUriEndpointOverride(checkedEndpoint(endpoint.strip()));
            configuration.setForcePathStyle(true);
            if (region.isBlank()) {
                configuration.setRegion(ANY_REGION);
            }
        }
        if (accessKey.isBlank() != secretKey.isBlank()) {
            throw new IllegalArgumentException("s3.access-key and s3.secret-key go together: set both, or neither for"
                    + " the AWS default credentials (environment, profile, instance role)");
        }
        if (!accessKey.isBlank()) {
            configuration.setAccessKey(accessKey.strip());
            configuration.setSecretKey(secretKey.strip());
            configuration.setUseDefaultCredentialsProvider(false);
        } else if (!configuration.isUseProfileCredentialsProvider() && !configuration.isUseSessionCredentials()
                && configuration.getAccessKey() == null) {
            configuration.setUseDefaultCredentialsProvider(true);
        }
        try {
            client = AWS2S3ClientFactory.getS3Client(configuration);
        } catch (RuntimeException e) {
            // the SDK's own message, under one that names the settings (a region it cannot find, a profile)
            throw new IllegalArgumentException("The S3 client cannot be made from s3.region, s3.endpoint and the"
                    + " credentials: " + e.getMessage());
        }
    }

    public S3Client client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
    }

    private static String checkedEndpoint(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new URISyntaxException(endpoint, "not an http or https URL with a host");
            }
            return endpoint;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("s3.endpoint must be the URL of an S3-compatible store "
                    + "(http://127.0.0.1:9000), was '" + endpoint + "': " + e.getReason(), e);
        }
    }
}
