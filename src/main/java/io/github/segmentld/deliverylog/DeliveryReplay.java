package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.segmentld.ingest.ControlCharacters;
import io.github.segmentld.ingest.InputIdentities;
import io.github.segmentld.store.KafkaDeadLetters;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events through the pipeline again, the way an operator would: dead-lettered
 * batches are moved from the dead-letter folder into the inbox, or with the dead letters on Kafka, produced back to
 * the source topic (each goes to its own destination instance only), and
 * rejected events (as they were sent) are written into the inbox as a file of their own; a delivered file of the done
 * folder is copied into the inbox under a replay's name, to be sent again. Selected by kind, destination, reason and
 * time range, or a file's name; without {@code confirm=true} it only counts what it would replay.
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
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param doneDir         where the inbox keeps what it has read: a replay already there is not written again
     * @param deadLetterTopic the dead letters on Kafka; null when they are in {@code deadLetterDir}
     */
    public DeliveryReplay(DeliveryLogDatabase database, Path deadLetterDir, Path inboxDir, Path doneDir,
                          KafkaDeadLetters deadLetterTopic) {
        this.database = database;
        this.deadLetterDir = deadLetterDir;
        this.inboxDir = inboxDir;
        this.doneDir = doneDir;
        this.deadLetterTopic = deadLetterTopic;
    }

    /**
     * @param kind    {@code dead_letters}, {@code rejected} or {@code file}
     * @param reason  a part of the reason (a dead letter's) or the reason code or message (a rejection's); any when null
     * @param name    the name of the file of the done folder to send again ({@code file})
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
            List<Path> letters = deadLetters(destination, reason, since, until);
            answer.put("kind", DEAD_LETTERS).put("deadLetters", letters.size());
            if (confirmed) {
                for (Path letter : letters) {
                    Files.move(letter, inboxDir.resolve(letter.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
                LOG.info("Replay: {} dead-lettered batches moved into the inbox", letters.size());
            }
        } else if (REJECTED.equals(kind)) {
            Set<String> events = rejectedEvents(destination, reason, since, until);
            answer.put("kind", REJECTED).put("events", events.size());
            if (confirmed && !events.isEmpty()) {
                String file = writeIntoInbox(events);
                if (file == null) {
                    throw new IllegalArgumentException("these " + events.size() + " rejected events were replayed"
                            + " already (the inbox holds, or has read, the same file); they are not sent twice");
                }
                answer.put("file", file);
                LOG.info("Replay: {} rejected events written into the inbox as {}", events.size(), file);
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

    /** The dead-letter files of the batches the log has dead-lettered as selected, those still in the folder. */
    private List<Path> deadLetters(String destination, String reason, long since, long until) throws SQLException {
        List<Path> letters = new ArrayList<>();
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
                    if (Files.isRegularFile(letter)) {
                        letters.add(letter);
                    }
                }
            }
        }
        return letters;
    }

    /**
     * The rejected events as selected, as they were sent, each once as a line of JSON (an event rejected again after an
     * earlier replay is in the log twice); a record that was not an event is left out.
     */
    private Set<String> rejectedEvents(String destination, String reason, long since, long until)
            throws SQLException {
        Set<String> events = new LinkedHashSet<>();
        try (Connection connection = database.connectForReading()) {
            RejectedEvents.each(connection, since == Long.MIN_VALUE ? since : since - 1, until, (line, detail) -> {
                JsonNode event = detail.get("segmentEvent");
                boolean selected = event != null && event.isObject()
                        && (!given(destination) || destination.strip().equals(line.destination()))
                        && (!given(reason) || reason.strip().equals(line.reason())
                                || detail.path("detail").asText().contains(reason.strip()));
                if (selected) {
                    events.add(event.toString());
                }
            });
        }
        return events;
    }

    /**
     * Writes the events as a Segment batch object beside the inbox, then moves the file in whole, as the inbox
     * expects. The file is named after its events, so the same events replayed twice (a second click, a repeated
     * request) make the same file, which is not written again while the inbox holds it or keeps it as read; returns
     * its name, or null then. Its content also holds when the replay was asked for: the inbox recognises an input by
     * its content, so the same events replayed again once the earlier file has left the done folder are a new input,
     * sent again, not skipped as one already read.
     */
    private synchronized String writeIntoInbox(Set<String> events) throws IOException {
        String batch = String.join(",\n", events);
        String name;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(batch.getBytes(StandardCharsets.UTF_8));
            name = "replay-rejected-" + HexFormat.of().formatHex(digest, 0, 12) + ".json";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        if (Files.exists(inboxDir.resolve(name)) || Files.exists(doneDir.resolve(name))) {
            return null;
        }
        String content = "{\"replay\":{\"kind\":\"" + REJECTED + "\",\"requestedAt\":\"" + Instant.now()
                + "\"},\"batch\":[\n" + batch + "\n]}\n";
        Path incoming = Files.writeString(inboxDir.resolve("." + name), content);
        Files.move(incoming, inboxDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        return name;
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
        Files.move(incoming, inboxDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        LOG.info("Replay: {} copied into the inbox as {}", ControlCharacters.escape(delivered.getFileName().toString()),
                ControlCharacters.escape(name));
        return name;
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }
}
