package io.github.segmentld;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3 API in the test JVM, on 127.0.0.1 and ports of its own: S3Proxy on an in-memory store, behind a front that
 * adds what S3Proxy lacks, object tagging (PUT and GET {@code ?tagging}, kept in memory, dropped when the object is
 * written or deleted), and can break an object's GET off after a number of bytes, as a connection reset does.
 * S3Proxy checks no signature here (the front forwards requests to it under another Host). The AWS SDK's default
 * request checksums (a trailer S3Proxy does not read) are asked only when required, as for any store without them:
 * {@link #properties} passes that on to an application in a JVM of its own.
 */
public final class S3StandIn implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key";
    private static final String CHECKSUMS = "aws.requestChecksumCalculation";
    private static final String NO_EC2_METADATA = "aws.disableEc2Metadata";
    private static final Pattern TAG = Pattern.compile("<Key>(.*?)</Key>\\s*<Value>(.*?)</Value>", Pattern.DOTALL);
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding");

    private final BlobStoreContext store;
    private final S3Proxy proxy;
    private final HttpServer front;
    private final HttpClient forwarder = HttpClient.newHttpClient();
    private final Map<String, Map<String, String>> tagsByObject = new ConcurrentHashMap<>();
    private final Map<String, Queue<Long>> breaksByObject = new ConcurrentHashMap<>();
    private final AtomicLong gets = new AtomicLong();
    private final S3Client client;

    public S3StandIn() {
        System.setProperty(CHECKSUMS, "when_required");
        // nothing of the AWS SDK may look for the EC2 metadata service, which is not on the loopback
        System.setProperty(NO_EC2_METADATA, "true");
        store = ContextBuilder.newBuilder("transient").credentials("identity", "credential")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(store.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.NONE, null, null).build();
        try {
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.onSpinWait();
            }
            front = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy does not start", e);
        }
        front.setExecutor(Executors.newCachedThreadPool());
        front.createContext("/", this::handle);
        front.start();
        client = S3Client.builder().endpointOverride(URI.create(endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1).requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY))).build();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + front.getAddress().getPort();
    }

    /** The S3 source's settings for this store and a new bucket, which it makes. */
    public Properties properties(String bucket) {
        client.createBucket(request -> request.bucket(bucket));
        Properties settings = new Properties();
        settings.setProperty("s3.enabled", "true");
        settings.setProperty("s3.bucket", bucket);
        settings.setProperty("s3.endpoint", endpoint());
        settings.setProperty("s3.access-key", ACCESS_KEY);
        settings.setProperty("s3.secret-key", SECRET_KEY);
        settings.setProperty("s3.poll-interval-ms", "200");
        settings.setProperty(CHECKSUMS, "when_required");
        settings.setProperty(NO_EC2_METADATA, "true");
        return settings;
    }

    public S3Client client() {
        return client;
    }

    public void put(String bucket, String key, byte[] content) {
        client.putObject(request -> request.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    /** The keys of the bucket, in order. */
    public List<String> keys(String bucket) {
        return client.listObjectsV2Paginator(request -> request.bucket(bucket)).contents().stream()
                .map(S3Object::key).toList();
    }

    public String text(String bucket, String key) {
        return client.getObjectAsBytes(request -> request.bucket(bucket).key(key)).asUtf8String();
    }

    public Map<String, String> tags(String bucket, String key) {
        return Map.copyOf(tagsByObject.getOrDefault("/" + bucket + "/" + key, Map.of()));
    }

    /** Breaks the next GETs of the object off, each after the next number of bytes of its body. */
    public void breakNextGetsAfter(String bucket, String key, Long... bytes) {
        breaksByObject.put("/" + bucket + "/" + key, new ConcurrentLinkedQueue<>(List.of(bytes)));
    }

    /** The GETs of objects answered so far. */
    public long gets() {
        return gets.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String object = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (query != null && query.startsWith("tagging")) {
                tagging(exchange, object);
                return;
            }
            String method = exchange.getRequestMethod();
            if (method.equals("PUT") || method.equals("DELETE")) {
                tagsByObject.remove(object);
            }
            forward(exchange, object, query);
        }
    }

    private void tagging(HttpExchange exchange, String object) throws IOException {
        if (exchange.getRequestMethod().equals("PUT")) {
            Map<String, String> tags = new LinkedHashMap<>();
            Matcher tag = TAG.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            while (tag.find()) {
                tags.put(tag.group(1), tag.group(2));
            }
            tagsByObject.put(object, tags);
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        String tagSet = tagsByObject.getOrDefault(object, Map.of()).entrySet().stream()
                .map(tag -> "<Tag><Key>" + tag.getKey() + "</Key><Value>" + tag.getValue() + "</Value></Tag>")
                .collect(Collectors.joining());
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging xmlns=\"http://s3.amazonaws.com/doc/"
                + "2006-03-01/\"><TagSet>" + tagSet + "</TagSet></Tagging>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private void forward(HttpExchange exchange, String object, String query) throws IOException {
        String method = exchange.getRequestMethod();
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort()
                        + exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query)))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase())) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<InputStream> answer;
        try {
            answer = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        answer.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        // -1: no body; 0: a body of a length not said (chunked)
        long length = answer.headers().firstValueAsLong("Content-Length").orElse(0);
        if (method.equals("HEAD") || answer.statusCode() == 204 || answer.statusCode() == 304
                || answer.headers().firstValueAsLong("Content-Length").orElse(-1) == 0) {
            length = -1;
        }
        boolean get = method.equals("GET") && query == null;
        if (get) {
            gets.incrementAndGet();
        }
        Long breakAfter = get && answer.statusCode() / 100 == 2
                ? breaksByObject.getOrDefault(object, new ConcurrentLinkedQueue<>()).poll() : null;
        exchange.sendResponseHeaders(answer.statusCode(), length);
        try (InputStream in = answer.body(); OutputStream out = exchange.getResponseBody()) {
            if (breakAfter == null) {
                in.transferTo(out);
                return;
            }
            out.write(in.readNBytes((int) breakAfter.longValue()));
            out.flush();
            // the connection is closed with the body unfinished: the client sees it break off
            throw new IOException("broken off after " + breakAfter + " bytes, as asked");
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        front.stop(0);
        proxy.stop();
        store.close();
    }
}
