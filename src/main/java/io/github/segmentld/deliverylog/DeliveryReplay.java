package io.github.segmentld.deliverylog;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what was not delivered through the pipeline again, by the same way as an operator would: dead-lettered
 * batches are moved from the dead-letter folder into the inbox (each goes to its own destination instance only), and
 * rejected events (as they were sent) are written into the inbox as a file of their own. Selected by kind, destination,
 * reason and time range; without {@code confirm=true} it only counts what it would replay.
 */
public class DeliveryReplay {

    static final String DEAD_LETTERS = "dead_letters";
    static final String REJECTED = "rejected";
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryReplay.class);

    private final DeliveryLogDatabase database;
    private final Path deadLetterDir;
    private final Path inboxDir;
    private final Clock clock;
    private final ObjectMapper mapper = new ObjectMapper();

    public DeliveryReplay(DeliveryLogDatabase database, Path deadLetterDir, Path inboxDir, Clock clock) {
        this.database = database;
        this.deadLetterDir = deadLetterDir;
        this.inboxDir = inboxDir;
        this.clock = clock;
    }

    /**
     * @param kind    {@code dead_letters} or {@code rejected}
     * @param reason  a part of the reason (a dead letter's) or the reason code or message (a rejection's); any when null
     * @param confirm {@code true} to replay; else only counted
     * @throws IllegalArgumentException for a kind or time it does not understand
     */
    public ObjectNode replay(@Header("kind") String kind, @Header("destination") String destination,
                             @Header("reason") String reason, @Header("from") String from, @Header("to") String to,
                             @Header("confirm") String confirm) throws SQLException, IOException {
        long since = given(from) ? DeliveryLogQueries.epochMillis("from", from) : Long.MIN_VALUE;
        long until = given(to) ? DeliveryLogQueries.epochMillis("to", to) : Long.MAX_VALUE;
        boolean confirmed = "true".equals(confirm);
        ObjectNode answer = mapper.createObjectNode();
        if (DEAD_LETTERS.equals(kind)) {
            List<Path> letters = deadLetters(destination, reason, since, until);
            answer.put("kind", DEAD_LETTERS).put("deadLetters", letters.size());
            if (confirmed) {
                for (Path letter : letters) {
                    Files.move(letter, inboxDir.resolve(letter.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
                LOG.info("Replay: {} dead-lettered batches moved into the inbox", letters.size());
            }
        } else if (REJECTED.equals(kind)) {
            List<JsonNode> events = rejectedEvents(destination, reason, since, until);
            answer.put("kind", REJECTED).put("events", events.size());
            if (confirmed && !events.isEmpty()) {
                Path file = writeIntoInbox(events);
                answer.put("file", file.getFileName().toString());
                LOG.info("Replay: {} rejected events written into the inbox as {}", events.size(), file.getFileName());
            }
        } else {
            throw new IllegalArgumentException("kind must be " + DEAD_LETTERS + " or " + REJECTED);
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

    /** The rejected events as selected, as they were sent (a record that was not an event is left out). */
    private List<JsonNode> rejectedEvents(String destination, String reason, long since, long until)
            throws SQLException {
        List<JsonNode> events = new ArrayList<>();
        try (Connection connection = database.connectForReading()) {
            RejectedEvents.each(connection, since == Long.MIN_VALUE ? since : since - 1, until, (line, detail) -> {
                JsonNode event = detail.get("segmentEvent");
                boolean selected = event != null && event.isObject()
                        && (!given(destination) || destination.strip().equals(line.destination()))
                        && (!given(reason) || reason.strip().equals(line.reason())
                                || detail.path("detail").asText().contains(reason.strip()));
                if (selected) {
                    events.add(event);
                }
            });
        }
        return events;
    }

    /** Writes the events as NDJSON beside the inbox, then moves the file in whole, as the inbox expects. */
    private Path writeIntoInbox(List<JsonNode> events) throws IOException {
        String name = "replay-rejected-" + Instant.ofEpochMilli(clock.millis()).toString().replace(':', '-') + ".ndjson";
        Path incoming = inboxDir.resolve("." + name);
        try (Writer out = Files.newBufferedWriter(incoming, StandardCharsets.UTF_8)) {
            for (JsonNode event : events) {
                out.write(mapper.writeValueAsString(event));
                out.write('\n');
            }
        }
        return Files.move(incoming, inboxDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }
}
