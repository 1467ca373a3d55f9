package io.github.segmentld.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A group of the cgroup v1 CPU controller that caps what its processes may use at a share of one CPU, as a container's
 * CPU limit does (Kubernetes turns a limit of 500m into a quota of 50 ms per 100 ms period). A process joins it before
 * its JVM starts ({@link #wrapper()}), so that the JVM sizes itself from the quota as it would in a container.
 */
final class CpuCgroup implements AutoCloseable {

    /** Where the controller is mounted on cgroup v1 hosts. */
    static final Path CONTROLLER = Path.of("/sys/fs/cgroup/cpu");
    private static final long PERIOD_MICROS = 100_000;

    /** The weight of a benchmark's own group against the machine's other processes (each weighs 1,024 by default). */
    static final long BENCHMARK_SHARES = 100_000;

    private final Path dir;
    /** Set for a group this process joined itself, to leave it for when the group is removed. */
    private final Path leaveFor;

    private CpuCgroup(Path dir, Path leaveFor) {
        this.dir = dir;
        this.leaveFor = leaveFor;
    }

    /** Why groups cannot be made under {@code controller}, or null when they can. */
    static String unusable(Path controller) {
        if (!Files.isRegularFile(controller.resolve("cpu.cfs_quota_us"))) {
            return "no cgroup v1 CPU controller at " + controller + " (cpu.cfs_quota_us missing)";
        }
        if (!Files.isWritable(controller)) {
            return "the cgroup v1 CPU controller at " + controller + " is not writable (run as root)";
        }
        return null;
    }

    /** Makes the group {@code name} under {@code controller}, its processes capped at {@code share} of one CPU. */
    static CpuCgroup create(Path controller, String name, double share) {
        if (share <= 0) {
            throw new IllegalArgumentException("a CPU share must be positive: " + share);
        }
        Path dir = controller.resolve(name);
        try {
            Files.createDirectories(dir);
            write(dir.resolve("cpu.cfs_period_us"), PERIOD_MICROS);
            write(dir.resolve("cpu.cfs_quota_us"), Math.round(share * PERIOD_MICROS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the cgroup " + dir, e);
        }
        return new CpuCgroup(dir, null);
    }

    /**
     * Makes the group {@code name} under {@code controller}, uncapped but weighing {@link #BENCHMARK_SHARES}, and moves
     * this process into it, so that what it starts (the broker, the instances' groups made under it) keeps its CPU on
     * a machine busy with other work: a capped instance then has its share, not a share of what others leave.
     */
    static CpuCgroup joinWeighted(Path controller, String name) {
        Path dir = controller.resolve(name);
        try {
            Files.createDirectories(dir);
            write(dir.resolve("cpu.shares"), BENCHMARK_SHARES);
            write(dir.resolve("cgroup.procs"), ProcessHandle.current().pid());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the cgroup " + dir, e);
        }
        return new CpuCgroup(dir, controller);
    }

    private static void write(Path file, long value) throws IOException {
        Files.writeString(file, Long.toString(value), StandardCharsets.US_ASCII);
    }

    Path dir() {
        return dir;
    }

    /** A command prefix that moves the shell into the group, then replaces it with the command after it (same pid). */
    List<String> wrapper() {
        return List.of("sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", dir.toString());
    }

    /**
     * Removes the group, after this process left it if it joined it; its other processes must have ended (the kernel
     * refuses to remove a group with members).
     */
    @Override
    public void close() {
        if (leaveFor != null) {
            try {
                write(leaveFor.resolve("cgroup.procs"), ProcessHandle.current().pid());
            } catch (IOException e) {
                System.err.println("could not leave the cgroup " + dir + ": " + e);
            }
        }
        for (int attempt = 0; Files.exists(dir); attempt++) {
            try {
                // a cgroup is removed with rmdir alone: its control files are not files that can be deleted
                Files.delete(dir);
            } catch (IOException e) {
                if (attempt == 50) {
                    System.err.println("could not remove the cgroup " + dir + ": " + e);
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
