package io.github.segmentld.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;

import io.github.segmentld.ChildApplication;
import io.github.segmentld.LocalArtemis;
import io.github.segmentld.TestInbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * One run of the scale-out benchmark: {@code instances} of the application, each a JVM in a CPU cgroup of its own,
 * reading the dropped file (one instance), sharing the topic in one consumer group, or each receiving a queue of its
 * own (the events split between the queues), all delivering to the stand-in. While it runs, the CPU time of every
 * process (the instances and the broker) is sampled with the stand-in's count, so that CPU per event is taken over the
 * same window as the rate.
 */
final class ScaleOutRun {

    /** Where a run's instances take the events from. */
    enum Source { FILE, KAFKA, JMS }

    /** What a run is: its source and how many instances share it (one for the file). */
    record Case(Source source, int instances) {

        /** "file", a number of Kafka instances ("2"), or "jms" and a number of JMS instances ("jms2"). */
        static Case of(String text) {
            if (text.equals("file")) {
                return new Case(Source.FILE, 1);
            }
            boolean jms = text.startsWith("jms");
            int instances = Integer.parseInt(jms ? text.substring(3) : text);
            if (instances < 1) {
                throw new IllegalArgumentException("a run has at least one instance: " + text);
            }
            return new Case(jms ? Source.JMS : Source.KAFKA, instances);
        }
    }

    /** The Kafka broker, its address and the topic filled with the events. */
    record Kafka(String servers, String topic, Admin admin, ProcessHandle broker) {
    }

    /**
     * The Artemis broker and its Core protocol URL; a JMS run fills a queue for each of its instances (the way to share
     * a load across instances that keeps the JMS source's guarantee), {@code perMessage} events a message, through the
     * URL with {@code senderOptions} (Artemis' client options, such as minLargeMessageSize; none if empty).
     */
    record Jms(String url, String queuePrefix, int perMessage, String senderOptions, ProcessHandle broker) {

        String senderUrl() {
            return senderOptions.isEmpty() ? url : url + "?" + senderOptions;
        }

        /** The queue of the run's instance {@code i}, from 1. */
        String queue(int i) {
            return queuePrefix + "-" + i;
        }

        /** The messages in the queues of a run's {@code instances}, not acknowledged yet. */
        long messagesIn(int instances) {
            long messages = 0;
            for (int i = 1; i <= instances; i++) {
                messages += LocalArtemis.messagesIn(url, queue(i));
            }
            return messages;
        }
    }

    /** The inputs every run shares; a broker is null when no run needs it. */
    record Setup(Path file, int events, Kafka kafka, Jms jms, StandIn standIn, Path groups, Cleanup cleanup,
                 Duration timeout, long warmUp) {
    }

    /**
     * What a run measured; CPU in milliseconds per 1,000 input events, the instances' first, the broker's last (none
     * for the file); where the window opened, as a share of the events.
     */
    record Result(double rate, double[] cpuMillisPer1000, double windowFrom, long delivered, long requests) {
    }

    private static final long SAMPLE_MILLIS = 100;
    private static int runs;

    private ScaleOutRun() {
    }

    /** @param jvmOptions the instances' JVM options, through JAVA_TOOL_OPTIONS as a container would set them */
    static Result run(Setup setup, Case run, double share, String jvmOptions) throws Exception {
        setup.standIn().reset();
        String name = "scale-out-" + ++runs;
        if (run.source() == Source.JMS) {
            for (int i = 1; i <= run.instances(); i++) {
                int from = (int) ((long) setup.events() * (i - 1) / run.instances());
                int to = (int) ((long) setup.events() * i / run.instances());
                JmsBenchmark.fill(setup.jms().senderUrl(), setup.jms().queue(i), setup.file(), from, to - from,
                        setup.jms().perMessage());
            }
        }
        List<ProcessHandle> processes = new ArrayList<>();
        List<AutoCloseable> started = new ArrayList<>();
        TestInbox fileInbox = null;
        try {
            for (int i = 1; i <= run.instances(); i++) {
                CpuCgroup group = setup.cleanup().register(CpuCgroup.create(setup.groups(), name + "-" + i, share));
                started.add(group);
                TestInbox inbox = TestInbox.create(name + "-" + i);
                Properties settings = Benchmark.applicationSettings(inbox.work(), 0);
                settings.setProperty("launchdarkly.events-base-url", setup.standIn().baseUrl("instance-" + i));
                switch (run.source()) {
                    case KAFKA -> {
                        settings.setProperty("kafka.enabled", "true");
                        settings.setProperty("kafka.bootstrap-servers", setup.kafka().servers());
                        settings.setProperty("kafka.topics", setup.kafka().topic());
                        settings.setProperty("kafka.group-id", name);
                    }
                    case JMS -> {
                        settings.setProperty("jms.enabled", "true");
                        settings.setProperty("jms.broker-url", setup.jms().url());
                        settings.setProperty("jms.queues", setup.jms().queue(i));
                    }
                    case FILE -> {
                        fileInbox = inbox;
                        drop(setup.file(), inbox);
                    }
                }
                Process process = ChildApplication.start(inbox, settings, "application.log", "-Xmx256m",
                        jvmOptions.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", jvmOptions), group.wrapper());
                // after the group: the process leaves it before the group is removed
                started.add(setup.cleanup().register(() -> ChildApplication.kill(process)));
                processes.add(process.toHandle());
            }
            if (run.source() != Source.FILE) {
                processes.add(run.source() == Source.KAFKA ? setup.kafka().broker() : setup.jms().broker());
            }
            List<CpuSample> cpu = awaitDone(setup, run, name, fileInbox, processes);
            return result(setup, cpu);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                setup.cleanup().close(started.get(i));
            }
        }
    }

    /** The CPU time of each process at a moment, with the stand-in's count then. */
    private record CpuSample(RateWindow.Sample progress, long[] cpuNanos) {
    }

    private static void drop(Path file, TestInbox inbox) throws Exception {
        Files.createDirectories(inbox.inbox());
        Path hidden = inbox.inbox().resolve(".incoming");
        Files.copy(file, hidden, StandardCopyOption.REPLACE_EXISTING);
        Files.move(hidden, inbox.inbox().resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Samples CPU until the file is done, the group has committed past every record, or the queue is empty (every
     * message acknowledged); fails at the deadline.
     */
    private static List<CpuSample> awaitDone(Setup setup, Case run, String group, TestInbox fileInbox,
                                             List<ProcessHandle> processes) throws Exception {
        Source source = run.source();
        List<CpuSample> samples = new ArrayList<>();
        long deadline = System.nanoTime() + setup.timeout().toNanos();
        long nextBrokerCheck = 0;
        while (true) {
            samples.add(sample(setup.standIn(), processes));
            if (processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException("a process of the run ended early (see its application.log under"
                        + " target/test-work)");
            }
            if (source == Source.FILE && Files.exists(fileInbox.done().resolve(setup.file().getFileName()))) {
                break;
            }
            if (source != Source.FILE && System.nanoTime() > nextBrokerCheck) {
                if (source == Source.KAFKA ? committed(setup.kafka().admin(), group) >= setup.events()
                        : setup.jms().messagesIn(run.instances()) == 0) {
                    break;
                }
                nextBrokerCheck = System.nanoTime() + 500_000_000L;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("the run did not finish within " + setup.timeout().toSeconds()
                        + " s (the stand-in has " + setup.standIn().events() + " events)");
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
        samples.add(sample(setup.standIn(), processes));
        return samples;
    }

    private static CpuSample sample(StandIn standIn, List<ProcessHandle> processes) {
        long[] cpu = processes.stream().mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
                .toArray();
        return new CpuSample(new RateWindow.Sample(System.nanoTime(), standIn.events()), cpu);
    }

    private static long committed(Admin admin, String group) throws Exception {
        Map<?, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static Result result(Setup setup, List<CpuSample> cpu) {
        StandIn standIn = setup.standIn();
        long delivered = standIn.events();
        if (delivered == 0) {
            throw new IllegalStateException("the run ended with nothing delivered to the stand-in");
        }
        // the stand-in counts LaunchDarkly events; the rate is given in the Segment events they came from
        double inputPerDelivered = (double) setup.events() / delivered;
        long warmUp = Math.round(setup.warmUp() / inputPerDelivered);
        long warm = RateWindow.allReached(standIn.routeSamples(), warmUp);
        RateWindow.Window window = warm < 0 ? null : RateWindow.from(standIn.samples(), warm, delivered);
        if (window == null) {
            throw new IllegalStateException("an instance did not deliver its " + setup.warmUp() + " events of warm-up"
                    + " well before 90% of the run: give the runs more events (events=) or a shorter warm-up (warm-up=)");
        }
        List<RateWindow.Sample> progress = cpu.stream().map(CpuSample::progress).toList();
        CpuSample from = cpu.get(RateWindow.firstAtLeast(progress, window.from().count()));
        CpuSample to = cpu.get(RateWindow.firstAtLeast(progress, window.to().count()));
        double inputEvents = (to.progress().count() - from.progress().count()) * inputPerDelivered;
        double[] cpuPer1000 = new double[from.cpuNanos().length];
        for (int p = 0; p < cpuPer1000.length; p++) {
            cpuPer1000[p] = (to.cpuNanos()[p] - from.cpuNanos()[p]) / 1e6 / (inputEvents / 1000);
        }
        return new Result(window.rate() * inputPerDelivered, cpuPer1000, (double) window.from().count() / delivered,
                delivered, standIn.requests());
    }
}
