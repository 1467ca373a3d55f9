package io.github.segmentld.s3;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects of the bucket to read: those under s3.prefix, outside the done and failed prefixes, and, with
 * s3.after-read = tag, without the source's tag. They are listed page by page as they are taken, so a bucket of any
 * size costs one page of memory.
 * <p>
 * With tags, an object's tags are looked up once; the objects known to be read are remembered (at most
 * {@code maxRemembered}, the oldest forgotten first, which costs one more look-up), so that a bucket of read objects
 * is not looked up object by object at every poll. A tag belongs to the object as it was written: an object written
 * anew under the same key has none, and is read.
 */
public class S3Inbox {

    /** The tag the source puts on an object it read: its value is {@link #DONE} or {@link #FAILED}. */
    static final String TAG = "segment-launchdarkly";
    static final String DONE = "done";
    static final String FAILED = "failed";

    private final S3Client client;
    private final S3Settings settings;
    private final int maxRemembered;
    private final Map<String, Boolean> knownRead = new LinkedHashMap<>();
    /** Set when an object could not be finished for a cause not its own: the listing of this poll ends. */
    private volatile boolean stopped;

    public S3Inbox(S3Client client, S3Settings settings, int maxRemembered) {
        this.client = client;
        this.settings = settings;
        this.maxRemembered = maxRemembered;
    }

    /**
     * The objects to read now, in key order (Segment's keys hold the day): the listing goes on as they are taken, until
     * its end or {@link #stopListing()}. One poll lists at a time.
     */
    public Iterator<S3Input> unread() {
        stopped = false;
        Iterator<S3Object> listed = client.listObjectsV2Paginator(request -> request.bucket(settings.bucket())
                .prefix(settings.prefix())).contents().iterator();
        return new Iterator<>() {
            private S3Input next;

            @Override
            public boolean hasNext() {
                while (next == null && !stopped && listed.hasNext()) {
                    S3Object listedObject = listed.next();
                    S3Input object = new S3Input(settings.bucket(), listedObject.key(), unquoted(listedObject.eTag()),
                            listedObject.size(), listedObject.lastModified().toEpochMilli());
                    if (settings.toRead(object.key()) && !read(object)) {
                        next = object;
                    }
                }
                return next != null;
            }

            @Override
            public S3Input next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                S3Input object = next;
                next = null;
                return object;
            }
        };
    }

    /**
     * Ends the listing of this poll: an object could not be finished for a cause not its own (S3, the state database),
     * which the next objects would most likely meet too. The next poll lists again.
     */
    void stopListing() {
        stopped = true;
    }

    /** Remembers that the object is tagged as read. */
    synchronized void rememberRead(S3Input object) {
        knownRead.put(object.id(), Boolean.TRUE);
        while (knownRead.size() > maxRemembered) {
            knownRead.remove(knownRead.keySet().iterator().next());
        }
    }

    private boolean read(S3Input object) {
        if (settings.afterRead() != AfterRead.TAG) {
            return false;
        }
        synchronized (this) {
            if (knownRead.containsKey(object.id())) {
                return true;
            }
        }
        try {
            boolean tagged = client.getObjectTagging(request -> request.bucket(object.bucket()).key(object.key()))
                    .tagSet().stream().anyMatch(tag -> tag.key().equals(TAG));
            if (tagged) {
                rememberRead(object);
            }
            return tagged;
        } catch (NoSuchKeyException gone) {
            // deleted since it was listed
            return true;
        }
    }

    private static String unquoted(String eTag) {
        return eTag.replace("\"", "");
    }
}
