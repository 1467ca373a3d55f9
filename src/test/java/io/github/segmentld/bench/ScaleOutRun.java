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
import io.github.segmentld.TestInbox;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * One run of the scale-out benchmark: {@code instances} of the application, each a JVM in a CPU cgroup of its own,
 * either reading the dropped file (one instance) or sharing the topic in one consumer group, all delivering to the
 * stand-in. While it runs, the CPU time of every process (the instances and the broker) is sampled with the stand-in's
 * count, so that CPU per event is taken over the same window as the rate.
 */
final class ScaleOutRun {

    /** The inputs every run shares. */
    record Setup(Path file, int events, String servers, String topic, Admin admin, ProcessHandle broker,
                 StandIn standIn, Path groups, Cleanup cleanup, Duration timeout, long warmUp) {
    }

    /**
     * What a run measured; CPU in milliseconds per 1,000 input events, the instances' first, the broker's last; where
     * the window opened, as a share of the events.
     */
    record Result(double rate, double[] cpuMillisPer1000, double windowFrom, long delivered, long requests) {
    }

    private static final long SAMPLE_MILLIS = 100;
    private static int runs;

    private ScaleOutRun() {
    }

    /**
     * @param kafka       the Kafka path; otherwise the file path (one instance reading the dropped file)
     * @param jvmOptions  the instances' JVM options, through JAVA_TOOL_OPTIONS as a container would set them
     */
    static Result run(Setup setup, boolean kafka, int instances, double share, String jvmOptions) throws Exception {
        setup.standIn().reset();
        String name = "scale-out-" + ++runs;
        List<ProcessHandle> processes = new ArrayList<>();
        List<AutoCloseable> started = new ArrayList<>();
        TestInbox fileInbox = null;
        try {
            for (int i = 1; i <= instances; i++) {
                CpuCgroup group = setup.cleanup().register(CpuCgroup.create(setup.groups(), name + "-" + i, share));
                started.add(group);
                TestInbox inbox = TestInbox.create(name + "-" + i);
                Properties settings = Benchmark.applicationSettings(inbox.work(), 0);
                settings.setProperty("launchdarkly.events-base-url", setup.standIn().baseUrl("instance-" + i));
                if (kafka) {
                    settings.setProperty("kafka.enabled", "true");
                    settings.setProperty("kafka.bootstrap-servers", setup.servers());
                    settings.setProperty("kafka.topics", setup.topic());
                    settings.setProperty("kafka.group-id", name);
                } else {
                    fileInbox = inbox;
                    drop(setup.file(), inbox);
                }
                Process process = ChildApplication.start(inbox, settings, "application.log", "-Xmx256m",
                        jvmOptions.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", jvmOptions), group.wrapper());
                // after the group: the process leaves it before the group is removed
                started.add(setup.cleanup().register(() -> ChildApplication.kill(process)));
                processes.add(process.toHandle());
            }
            processes.add(setup.broker());
            List<CpuSample> cpu = awaitDone(setup, kafka ? name : null, fileInbox, processes);
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

    /** Samples CPU until the file is done or the group has committed past every record; fails at the deadline. */
    private static List<CpuSample> awaitDone(Setup setup, String group, TestInbox fileInbox,
                                             List<ProcessHandle> processes) throws Exception {
        List<CpuSample> samples = new ArrayList<>();
        long deadline = System.nanoTime() + setup.timeout().toNanos();
        long nextCommitCheck = 0;
        while (true) {
            samples.add(sample(setup.standIn(), processes));
            if (processes.stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException("a process of the run ended early (see its application.log under"
                        + " target/test-work)");
            }
            if (group == null && Files.exists(fileInbox.done().resolve(setup.file().getFileName()))) {
                break;
            }
            if (group != null && System.nanoTime() > nextCommitCheck) {
                if (committed(setup.admin(), group) >= setup.events()) {
                    break;
                }
                nextCommitCheck = System.nanoTime() + 500_000_000L;
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
