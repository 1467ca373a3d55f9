package io.github.segmentld.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

import io.github.segmentld.LocalArtemis;

/**
 * Sends a file of Segment events to a queue of an Artemis broker as text messages, for trying the JMS source
 * (scripts/jms-send.sh): an NDJSON file (.ndjson) a message per line, any other file (a JSON event, array or batch
 * object) as one message. Arguments: the file, the broker's Core protocol URL (tcp://127.0.0.1:61616 unless given),
 * the queue (segment-events unless given).
 */
public final class JmsSend {

    private JmsSend() {
    }

    public static void main(String... args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: scripts/jms-send.sh FILE [BROKER_URL] [QUEUE]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        String url = args.length > 1 ? args[1] : "tcp://127.0.0.1:61616";
        String queue = args.length > 2 ? args[2] : "segment-events";
        String content = Files.readString(file, StandardCharsets.UTF_8);
        Iterator<String> messages = file.getFileName().toString().endsWith(".ndjson")
                ? content.lines().filter(line -> !line.isBlank()).iterator() : List.of(content).iterator();
        int[] sent = {0};
        LocalArtemis.sendTexts(url, queue, messages, id -> sent[0]++);
        System.out.println(sent[0] + " message(s) sent to queue " + queue + " at " + url);
    }
}
