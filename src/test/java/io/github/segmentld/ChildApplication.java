package io.github.segmentld;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The application in a JVM of its own, so that a test can kill it with SIGKILL (kill -9) and start it again. */
public final class ChildApplication {

    private ChildApplication() {
    }

    public static Process start(TestInbox inbox, Properties settings, String logName) {
        return start(inbox, settings, logName, "-Xmx256m");
    }

    /** @param heap the maximum heap, as the JVM option ({@code -Xmx64m}) */
    public static Process start(TestInbox inbox, Properties settings, String logName, String heap) {
        return start(inbox, settings, logName, heap, Map.of());
    }

    /** @param environment environment variables added to this JVM's */
    public static Process start(TestInbox inbox, Properties settings, String logName, Map<String, String> environment) {
        return start(inbox, settings, logName, "-Xmx256m", environment);
    }

    /**
     * @param wrapper a command the JVM runs under, its arguments before the JVM's command ({@code strace -f -o ...});
     *                the returned process is the wrapper's
     */
    public static Process start(TestInbox inbox, Properties settings, String logName, List<String> wrapper) {
        return start(inbox, settings, logName, "-Xmx256m", Map.of(), wrapper);
    }

    private static Process start(TestInbox inbox, Properties settings, String logName, String heap,
                                 Map<String, String> environment) {
        return start(inbox, settings, logName, heap, environment, List.of());
    }

    /** The JVM with the heap, environment and wrapper given (the benchmark's instances in a CPU cgroup). */
    public static Process start(TestInbox inbox, Properties settings, String logName, String heap,
                                Map<String, String> environment, List<String> wrapper) {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                // the application's own logging, at INFO, into the log file (the tests' configuration is quieter)
                "-Dlog4j2.configurationFile=log4j2.properties", "-cp", testClassPath()));
        Properties own = new Properties();
        own.putAll(settings);
        // alone in its JVM, as in production: a fatal error ends the process
        own.setProperty("watchdog.exit-on-fatal", "true");
        own.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add(Application.class.getName());
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(inbox.work().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(inbox.work().resolve(logName).toFile());
            builder.environment().putAll(environment);
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** kill -9, and wait until the process is gone; a JVM started under a wrapper is killed first. */
    public static void kill(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** This JVM's class path without empty entries, which would put the working directory on it. */
    private static String testClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
