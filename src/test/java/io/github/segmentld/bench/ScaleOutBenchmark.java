package io.github.segmentld.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import io.github.segmentld.Loopback;
import io.github.segmentld.tools.LocalArtemisBroker;
import io.github.segmentld.tools.LocalKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Measures what the README promises for Kafka consumer groups and JMS queues, with each instance on a machine of its
 * own as far as CPU goes: every instance is a JVM in a cgroup of its own capped at a share of one CPU, each broker a
 * process of its own, the stand-in in this process; all uncapped but the instances. For each share it runs the file
 * path (one instance reading a dropped file), then 1, 2, 3 instances of one consumer group on a topic filled beforehand
 * with the same events, then 1 instance or more, each receiving a queue of its own filled beforehand with its share of
 * them, and prints each rate, its ratio, and each process's CPU time per 1,000 events. Rate and CPU are taken
 * over the same window: from when every instance has delivered its warm-up events (a JVM capped at half a CPU compiles
 * its hot code for minutes: the JIT compilers took about 40% of an instance's CPU over a run of 300,000 events, so
 * instances are compared when each is as warm as the others, whether they are one or three) to 90% of the events.
 * Usage: {@code bench/scale-out.sh [key=value ...]}, the keys in {@link #main}.
 */
public final class ScaleOutBenchmark {

    private static final String TOPIC = "scale-out-events";
    /** The JMS runs' queues: scale-out-events-1, -2... */
    private static final String QUEUES = "scale-out-events";
    private static final Duration BROKER_START = Duration.ofSeconds(120);

    private ScaleOutBenchmark() {
    }

    /**
     * Keys: events (1500000), warm-up (300000: the events each instance delivers before the window opens), shares
     * (0.5,0.4: the CPU share of each instance, a run per share), partitions (6), runs (file,1,2,3,jms1: the file
     * path, the Kafka path's instance counts, and the JMS path's as jms1, jms2...), per-message (1: the events of a
     * JMS message, a JSON array of them unless one), sender-options (none: the options of the Artemis URL the queues
     * are filled through, such as minLargeMessageSize=1048576), jvm (the instances' JVM options, variants
     * separated by "|", an empty one for the defaults; each variant a run of its own), rounds (1: the variants run in
     * turn this many times, for A/B comparisons on a busy machine), timeout-s (per run; 120 + events/1000).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> keys = keys(args);
        int events = Integer.parseInt(keys.getOrDefault("events", "1500000"));
        long warmUp = Long.parseLong(keys.getOrDefault("warm-up", "300000"));
        List<Double> shares = Arrays.stream(keys.getOrDefault("shares", "0.5,0.4").split(","))
                .map(Double::parseDouble).toList();
        int partitions = Integer.parseInt(keys.getOrDefault("partitions", "6"));
        List<ScaleOutRun.Case> runs = Arrays.stream(keys.getOrDefault("runs", "file,1,2,3,jms1").split(","))
                .map(ScaleOutRun.Case::of).toList();
        int perMessage = Integer.parseInt(keys.getOrDefault("per-message", "1"));
        String senderOptions = keys.getOrDefault("sender-options", "");
        List<String> variants = List.of(keys.getOrDefault("jvm", "").split("\\|", -1));
        int rounds = Integer.parseInt(keys.getOrDefault("rounds", "1"));
        Duration timeout = Duration.ofSeconds(Long.parseLong(keys.getOrDefault("timeout-s",
                Long.toString(120 + events / 1000))));
        String unusable = CpuCgroup.unusable(CpuCgroup.CONTROLLER);
        if (unusable != null) {
            System.out.println("Skipped: " + unusable + ". The scale-out benchmark caps each instance with it.");
            return;
        }
        Path work = Path.of("target", "scale-out").toAbsolutePath();
        Path file = work.resolve("segment-events.ndjson.gz");
        SyntheticSegmentFile.write(file, events, 42);
        Cleanup cleanup = new Cleanup();
        try {
            CpuCgroup weighted = cleanup.register(CpuCgroup.joinWeighted(CpuCgroup.CONTROLLER,
                    "scale-out-" + ProcessHandle.current().pid()));
            ScaleOutRun.Kafka kafka = null;
            ScaleOutRun.Jms jms = null;
            if (runs.stream().anyMatch(run -> run.source() == ScaleOutRun.Source.KAFKA)) {
                kafka = startKafka(work, partitions, cleanup);
                KafkaBenchmark.produce(kafka.servers(), kafka.topic(), file, events);
            }
            if (runs.stream().anyMatch(run -> run.source() == ScaleOutRun.Source.JMS)) {
                jms = startArtemis(work, perMessage, senderOptions, cleanup);
            }
            try (StandIn standIn = new StandIn()) {
                System.out.printf(Locale.ROOT, "%,d events in %s%s%s (brokers: JVMs of their own, uncapped, on a"
                        + " machine of %d CPUs); rates and CPU taken once every instance has delivered %,d events, to"
                        + " %.0f%% of the events%n", events, file, kafka == null ? "" : ", on a topic of " + partitions
                        + " partitions", jms == null ? "" : ", on Artemis queues " + (perMessage == 1
                        ? "one a message" : perMessage + " a message") + (senderOptions.isEmpty() ? ""
                        : " (sent with " + senderOptions + ")"), Runtime.getRuntime().availableProcessors(),
                        warmUp, 100 * RateWindow.TO);
                ScaleOutRun.Setup setup = new ScaleOutRun.Setup(file, events, kafka, jms, standIn, weighted.dir(),
                        cleanup, timeout, warmUp);
                for (double share : shares) {
                    for (int round = 1; round <= rounds; round++) {
                        for (String jvm : variants) {
                            printRuns(setup, share, jvm, runs, rounds > 1 ? " (round " + round + ")" : "");
                        }
                    }
                }
            }
        } finally {
            cleanup.closeAll();
        }
        System.exit(0);
    }

    private static Map<String, String> keys(String[] args) {
        Map<String, String> keys = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("arguments are key=value: " + arg);
            }
            keys.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        return keys;
    }

    /** The Kafka broker in a JVM of its own (scripts/local-kafka.sh's), with the topic. */
    private static ScaleOutRun.Kafka startKafka(Path work, int partitions, Cleanup cleanup) throws Exception {
        int port = Loopback.freePort();
        ProcessHandle broker = startBroker(work.resolve("kafka-broker.log"), cleanup, "Kafka broker on", "-Xmx512m",
                LocalKafka.class.getName(), Integer.toString(port));
        String servers = "127.0.0.1:" + port;
        Admin admin = cleanup.register(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers)));
        admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        return new ScaleOutRun.Kafka(servers, TOPIC, admin, broker);
    }

    /** The Artemis broker in a JVM of its own (scripts/local-artemis.sh's), its journal in a folder made anew. */
    private static ScaleOutRun.Jms startArtemis(Path work, int perMessage, String senderOptions, Cleanup cleanup)
            throws Exception {
        Path folder = work.resolve("artemis");
        Benchmark.deleteTree(folder);
        int port = Loopback.freePort();
        ProcessHandle broker = startBroker(work.resolve("artemis-broker.log"), cleanup, "Artemis broker on",
                "-Xmx1g", LocalArtemisBroker.class.getName(), Integer.toString(port), folder.toString());
        return new ScaleOutRun.Jms("tcp://127.0.0.1:" + port, QUEUES, perMessage, senderOptions, broker);
    }

    /** A broker in a JVM of its own, once it printed {@code started}; stopped with SIGTERM at the end. */
    private static ProcessHandle startBroker(Path log, Cleanup cleanup, String started, String heap, String... main)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), heap,
                "-Dlog4j2.configurationFile=log4j2-test.properties", "-cp", System.getProperty("java.class.path")));
        command.addAll(List.of(main));
        Process broker = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        cleanup.register(() -> {
            broker.destroy();
            if (!broker.waitFor(30, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        });
        long deadline = System.nanoTime() + BROKER_START.toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains(started)) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                throw new TimeoutException("the broker did not start within " + BROKER_START.toSeconds() + " s: " + log);
            }
            Thread.sleep(200);
        }
        return broker.toHandle();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void printRuns(ScaleOutRun.Setup setup, double share, String jvm, List<ScaleOutRun.Case> runs,
                                  String round) throws Exception {
        System.out.println();
        System.out.printf(Locale.ROOT, "Each instance capped at %.2f CPU, JVM options: %s%s; inside the cap the JVM"
                + " sees %s%n", share, jvm.isBlank() ? "(defaults)" : jvm, round, jvmView(share, jvm, setup));
        System.out.println("path   instances  events/s  ratio           CPU ms per 1,000 events       window from     LD events");
        System.out.println("                                            instances / broker            (all warm)      per request");
        Double fileRate = null;
        Map<ScaleOutRun.Source, Double> oneInstance = new EnumMap<>(ScaleOutRun.Source.class);
        for (ScaleOutRun.Case run : runs) {
            ScaleOutRun.Result result = ScaleOutRun.run(setup, run, share, jvm);
            String ratio = "";
            if (run.source() == ScaleOutRun.Source.FILE) {
                fileRate = result.rate();
            } else if (run.instances() == 1) {
                oneInstance.put(run.source(), result.rate());
                ratio = fileRate == null ? "" : String.format(Locale.ROOT, "%.2f of file", result.rate() / fileRate);
            } else if (oneInstance.containsKey(run.source())) {
                ratio = String.format(Locale.ROOT, "%.2fx of 1", result.rate() / oneInstance.get(run.source()));
            }
            double[] cpu = result.cpuMillisPer1000();
            String instancesCpu = Arrays.stream(cpu, 0, run.instances())
                    .mapToObj(ms -> String.format(Locale.ROOT, "%.0f", ms)).collect(Collectors.joining(", "));
            String brokerCpu = cpu.length > run.instances()
                    ? String.format(Locale.ROOT, "%.0f", cpu[run.instances()]) : "-";
            System.out.printf(Locale.ROOT, "%-6s %9d  %8.0f  %-14s  %-29s %-15s %.0f%n",
                    run.source().name().toLowerCase(Locale.ROOT), run.instances(), result.rate(), ratio,
                    instancesCpu + " / " + brokerCpu, String.format(Locale.ROOT, "%.0f%%", 100 * result.windowFrom()),
                    (double) result.delivered() / result.requests());
        }
    }

    /** What a JVM with these options sees in a group capped at {@code share}: processors, collector, heap. */
    private static String jvmView(double share, String jvm, ScaleOutRun.Setup setup) throws Exception {
        Cleanup cleanup = setup.cleanup();
        CpuCgroup group = cleanup.register(CpuCgroup.create(setup.groups(), "view", share));
        try {
            List<String> command = new ArrayList<>(group.wrapper());
            command.addAll(List.of(java(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    JvmView.class.getName()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            if (!jvm.isBlank()) {
                builder.environment().put("JAVA_TOOL_OPTIONS", jvm);
            }
            Process view = builder.start();
            if (!view.waitFor(60, TimeUnit.SECONDS)) {
                view.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return "(no answer within 60 s)";
            }
            return new String(view.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        } finally {
            cleanup.close(group);
        }
    }
}
