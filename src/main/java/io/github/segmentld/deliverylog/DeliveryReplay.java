package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.ingest.InputIdentities;
import io.github.segmentld.store.DurableFiles;
import io.github.segmentld.kafka.KafkaDeadLetters;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what was not delivered through the pipeline again, by the same way as an operator would: dead-lettered
 * batches are moved from the dead-letter folder into the inbox, or with the dead letters on Kafka, produced back to
 * the source topic (each goes to its own destination instance only), and
 * rejected events (as they were sent) are written into the inbox as files of their own; a delivered file of the done
 * folder is copied into the inbox under a replay's name, to be sent again. Selected by kind, destination, reason and
 * time range, or a file's name; without {@code confirm=true} it only counts what it would replay. The selection
 * is streamed a page at a time (a page of dead letters moved, a page of rejected events written as a file), so a
 * replay's memory does not grow with what it selects; each page is on disk, its folders synced, before the answer.
 */
public class DeliveryReplay {

    static final String DEAD_LETTERS = "dead_letters";
    static final String REJECTED = "rejected";
    static final String FILE = "file";
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReplay.class);

    private final DeliveryLogDatabase database;
    private final Path deadLetterDir;
    private final Path inboxDir;
    private final Path doneDir;
    private final KafkaDeadLetters deadLetterTopic;
    private final int pageSize;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Object inboxWrites = new Object();

    /**
     * @param doneDir         where the inbox keeps what it has read: a replay already there is not written again
     * @param deadLetterTopic the dead letters on Kafka; null when they are in {@code deadLetterDir}
     * @param pageSize        the dead letters moved, or the rejected events written into one file, at a time
     */
    public DeliveryReplay(DeliveryLogDatabase database, Path deadLetterDir, Path inboxDir, Path doneDir,
                          KafkaDeadLetters deadLetterTopic, int pageSize) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("delivery-log.replay-page-size must be at least 1, not " + pageSize);
        }
        this.database = database;
        this.deadLetterDir = deadLetterDir;
        this.inboxDir = inboxDir;
        this.doneDir = doneDir;
        this.deadLetterTopic = deadLetterTopic;
        this.pageSize = pageSize;
    }

    /**
     * @param kind    {@code dead_letters}, {@code rejected} or {@code file}
     * @param name    the name of the file of the done folder to send again ({@code file})
     * @param reason  a part of the reason (a dead letter's) or the reason code or message (a rejection's); any when null
     * @param confirm {@code true} to replay; else only counted
     * @throws IllegalArgumentException for a kind or time it does not understand
     */
    public ObjectNode replay(@Header("kind") String kind, @Header("destination") String destination,
                             @Header("reason") String reason, @Header("from") String from, @Header("to") String to,
                             @Header("name") String name, @Header("confirm") String confirm)
            throws SQLException, IOException {
        long since = given(from) ? DeliveryLogQueries.epochMillis("from", from) : Long.MIN_VALUE;
        long until = given(to) ? DeliveryLogQueries.epochMillis("to", to) : Long.MAX_VALUE;
        boolean confirmed = "true".equals(confirm);
        ObjectNode answer = mapper.createObjectNode();
        if (DEAD_LETTERS.equals(kind) && deadLetterTopic != null) {
            answer.put("kind", DEAD_LETTERS).put("deadLetters", deadLetterTopic.replay(given(destination)
                    ? destination.strip() : null, given(reason) ? reason.strip() : null, since, until, confirmed));
        } else if (DEAD_LETTERS.equals(kind)) {
            long letters = deadLetters(destination, reason, since, until, confirmed);
            answer.put("kind", DEAD_LETTERS).put("deadLetters", letters);
            if (confirmed) {
                LOG.info("Replay: {} dead-lettered batches moved into the inbox", letters);
            }
        } else if (REJECTED.equals(kind)) {
            RejectedPages pages = new RejectedPages(inboxDir, doneDir, pageSize, confirmed, inboxWrites);
            rejectedEvents(destination, reason, since, until, pages);
            answer.put("kind", REJECTED).put("events", pages.events());
            if (confirmed && pages.events() > 0) {
                if (pages.written() == 0) {
                    throw new IllegalArgumentException("these " + pages.events() + " rejected events were replayed"
                            + " already (the inbox holds, or has read, the same files); they are not sent twice");
                }
                answer.put("files", pages.written()).put("filesReplayedAlready", pages.skipped());
                LOG.info("Replay: {} rejected events written into the inbox as {} files of at most {} events ({}"
                        + " replayed already)", pages.events(), pages.written(), pageSize, pages.skipped());
            }
        } else if (FILE.equals(kind)) {
            Path delivered = deliveredFile(name);
            answer.put("kind", FILE).put("files", 1);
            if (confirmed) {
                answer.put("file", copyIntoInbox(delivered));
            }
        } else {
            throw new IllegalArgumentException("kind must be " + DEAD_LETTERS + ", " + REJECTED + " or " + FILE);
        }
        answer.put("replayed", confirmed);
        if (!confirmed) {
            answer.put("confirm", "nothing is replayed yet: send the same request with confirm=true");
        }
        return answer;
    }

    /**
     * Counts the dead-letter files of the batches the log has dead-lettered as selected, those still in the folder,
     * and when confirmed moves them into the inbox a page at a time, the folders synced once a page.
     */
    private long deadLetters(String destination, String reason, long since, long until, boolean confirmed)
            throws SQLException, IOException {
        long count = 0;
        List<Path> page = new ArrayList<>();
        try (Connection connection = database.connectForReading();
             PreparedStatement sql = connection.prepareStatement("SELECT payload_id, destination, reason FROM"
                     + " logged_group WHERE kind = 'batch' AND outcome = 'dead_lettered' AND outcome_at >= ?"
                     + " AND outcome_at <= ?")) {
            sql.setLong(1, since);
            sql.setLong(2, until);
            try (ResultSet batches = sql.executeQuery()) {
                while (batches.next()) {
                    if (given(destination) && !destination.strip().equals(batches.getString("destination"))
                            || given(reason) && !String.valueOf(batches.getString("reason")).contains(reason.strip())) {
                        continue;
                    }
                    Path letter = deadLetterDir.resolve(batches.getString("payload_id") + ".json");
                    if (!Files.isRegularFile(letter)) {
                        continue;
                    }
                    count++;
                    if (confirmed) {
                        page.add(letter);
                        if (page.size() == pageSize) {
                            DurableFiles.moveInto(page, inboxDir);
                            page.clear();
                        }
                    }
                }
            }
        }
        DurableFiles.moveInto(page, inboxDir);
        return count;
    }

    /**
     * The rejected events as selected, oldest first, as they were sent, each once as a line of JSON (an event rejected
     * again after an earlier replay is in the log twice); a record that was not an event is left out.
     */
    private void rejectedEvents(String destination, String reason, long since, long until, RejectedPages pages)
            throws SQLException, IOException {
        try (SeenEvents seen = new SeenEvents(); Connection connection = database.connectForReading()) {
            RejectedEvents.eachOldestFirst(connection, since == Long.MIN_VALUE ? since : since - 1, until,
                    (group, line, detail) -> {
                        JsonNode event = detail.get("segmentEvent");
                        boolean selected = event != null && event.isObject()
                                && (!given(destination) || destination.strip().equals(line.destination()))
                                && (!given(reason) || reason.strip().equals(line.reason())
                                        || detail.path("detail").asText().contains(reason.strip()));
                        if (selected) {
                            String json = event.toString();
                            if (seen.firstTime(json)) {
                                pages.add(group, json);
                            }
                        }
                    });
        }
        pages.finish();
    }

    /** The file of the done folder named {@code name}. */
    private Path deliveredFile(String name) {
        Path file = given(name) ? doneDir.resolve(name).normalize() : null;
        if (file == null || !doneDir.equals(file.getParent()) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("name must be the name of a file in the done folder");
        }
        return file;
    }

    /**
     * Copies a file of the done folder beside the inbox, then moves it in whole under a replay's name: the inbox
     * recognises an input by its content and, for a replay, the time in its name, so the copy is sent again under
     * payload IDs of its own. Returns the name.
     */
    private String copyIntoInbox(Path delivered) throws IOException {
        String name = InputIdentities.replayName(delivered.getFileName().toString(), System.currentTimeMillis());
        Path incoming = Files.copy(delivered, inboxDir.resolve("." + name));
        try (FileChannel copy = FileChannel.open(incoming, StandardOpenOption.WRITE)) {
            copy.force(true);
        }
        DurableFiles.move(incoming, inboxDir.resolve(name));
        LOG.info("Replay: {} copied into the inbox as {}", ControlCharacters.escape(delivered.getFileName().toString()),
                ControlCharacters.escape(name));
        return name;
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }
}
