package io.github.segmentld.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An object's bytes as stored, read over one GET that is taken up again where it broke: a connection that breaks
 * (a reset, a timeout while the pipeline held the reading back) is opened anew with a ranged GET from the byte
 * reached, on the same ETag (If-Match), so the reader above it, a gzip decoder included, never sees the break.
 * <p>
 * What S3 answers is never the object's fault: when the GET cannot be taken up again (the object replaced or gone,
 * S3 out of reach), this stream fails with an unchecked {@link S3ReadException}, which the readers above do not take
 * for a broken input (they turn {@link IOException}s into "unreadable"). The object is then read again at a later
 * poll, its settled chunks skipped.
 * <p>
 * Closed before its end, it aborts the connection: closing it normally would read the rest of the object first.
 */
final class ObjectStream extends InputStream {

    /** Breaks in a row, without a byte read between them, before the read fails. */
    private static final int MAX_RESUMES = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ObjectStream.class);

    private final S3Client client;
    private final S3Input object;
    private ResponseInputStream<GetObjectResponse> body;
    private long position;
    private int breaksInARow;
    private boolean ended;
    /** Once the GET could not be taken up again, every read fails with it: no byte after it is ever given. */
    private S3ReadException failure;

    ObjectStream(S3Client client, S3Input object) {
        this.client = client;
        this.object = object;
        this.body = open();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (failure != null) {
            throw failure;
        }
        while (true) {
            try {
                int n = body.read(buffer, offset, length);
                if (n == -1) {
                    ended = true;
                } else if (n > 0) {
                    position += n;
                    breaksInARow = 0;
                }
                return n;
            } catch (IOException | SdkException broken) {
                if (position >= object.size()) {
                    // broken after its last byte: there is nothing left to ask for
                    ended = true;
                    body.abort();
                    return -1;
                }
                resumeAfter(broken);
            }
        }
    }

    private void resumeAfter(Exception broken) {
        body.abort();
        if (++breaksInARow > MAX_RESUMES) {
            failure = new S3ReadException("the GET of " + object.name() + " broke off at byte " + position + " "
                    + breaksInARow + " times in a row: " + broken.getMessage(), broken);
            throw failure;
        }
        LOG.info("The GET of {} broke off at byte {} ({}): taken up again from there", object.name(), position,
                broken.getMessage());
        body = open();
    }

    private ResponseInputStream<GetObjectResponse> open() {
        try {
            return client.getObject(request -> {
                request.bucket(object.bucket()).key(object.key()).ifMatch(object.quotedETag());
                if (position > 0) {
                    request.range("bytes=" + position + "-");
                }
            });
        } catch (SdkException e) {
            throw new S3ReadException("cannot GET " + object.name() + " from byte " + position + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            body.abort();
        }
        body.close();
    }

    /** S3 could not give the object's bytes: a failure of the service, not of the object. */
    static final class S3ReadException extends UncheckedIOException {

        S3ReadException(String message, Exception cause) {
            super(message, cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause));
        }
    }
}
