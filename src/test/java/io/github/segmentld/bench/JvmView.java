package io.github.segmentld.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;

/**
 * Prints how a JVM sized itself where it runs: the processors it counts and the garbage collector it chose. Run in a
 * CPU cgroup, it shows what a JVM under a container's CPU limit sees.
 */
public final class JvmView {

    private JvmView() {
    }

    public static void main(String[] args) {
        String collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
        System.out.println(Runtime.getRuntime().availableProcessors() + " processor(s), collectors " + collectors
                + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    }
}
