package io.github.segmentld.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system calls of a process as {@code strace -f -yy -o <file>} wrote them, in the order they began and ended: a
 * call another thread interrupted is written as {@code <unfinished ...>} and then {@code <... name resumed>}, and is
 * put back together here.
 */
final class SyscallTrace {

    /** One call: its text (name and arguments, file descriptors shown with their paths), the lines it began and ended. */
    record Call(String name, String text, int began, int ended) {

        /** The quoted strings among its arguments (the paths of a rename). */
        List<String> strings() {
            List<String> found = new ArrayList<>();
            Matcher quoted = QUOTED.matcher(text);
            while (quoted.find()) {
                found.add(quoted.group(1));
            }
            return found;
        }

        /** Whether its first argument is a file descriptor of the path. */
        boolean on(Path path) {
            return text.startsWith(name + "(") && text.substring(name.length() + 1).matches("\\d+<" + Pattern.quote(
                    path.toString()) + ">[,)].*");
        }
    }

    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+(.*)$");
    private static final Pattern BEGUN = Pattern.compile("^(\\w+)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final List<Call> calls = new ArrayList<>();

    private SyscallTrace(List<String> lines) {
        Map<String, Call> unfinished = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher line = LINE.matcher(lines.get(i));
            if (!line.matches()) {
                continue;
            }
            String pid = line.group(1);
            String rest = line.group(2);
            Matcher resumed = RESUMED.matcher(rest);
            Matcher begun = BEGUN.matcher(rest);
            if (resumed.matches()) {
                Call start = unfinished.remove(pid);
                if (start != null) {
                    calls.add(new Call(start.name(), start.text() + resumed.group(2), start.began(), i));
                }
            } else if (begun.matches() && rest.endsWith("<unfinished ...>")) {
                unfinished.put(pid, new Call(begun.group(1), rest.substring(0, rest.length()
                        - "<unfinished ...>".length()).stripTrailing(), i, -1));
            } else if (begun.matches()) {
                calls.add(new Call(begun.group(1), rest, i, i));
            }
        }
        calls.sort((a, b) -> Integer.compare(a.began(), b.began()));
    }

    static SyscallTrace read(Path file) throws IOException {
        return new SyscallTrace(Files.readAllLines(file, StandardCharsets.ISO_8859_1));
    }

    /** The first call that matches and began after the given line. */
    Optional<Call> first(Predicate<Call> matching, int after) {
        return calls.stream().filter(call -> call.began() > after && matching.test(call)).findFirst();
    }

    static Predicate<Call> named(String... names) {
        return call -> List.of(names).contains(call.name());
    }

    /** A rename whose new name is in the folder and whose file name matches. */
    static Predicate<Call> renameInto(Path folder, String fileNamePattern) {
        return named("rename", "renameat", "renameat2").and(call -> {
            List<String> paths = call.strings();
            if (paths.isEmpty()) {
                return false;
            }
            Path target = Path.of(paths.get(paths.size() - 1)).toAbsolutePath().normalize();
            return folder.equals(target.getParent()) && target.getFileName().toString().matches(fileNamePattern);
        });
    }

    /** An fsync or fdatasync of the path (a folder or a file). */
    static Predicate<Call> syncOf(Path path) {
        return named("fsync", "fdatasync").and(call -> call.on(path));
    }

    /** A write to the connection from the client port that begins an HTTP answer with the status. */
    static Predicate<Call> answerTo(int clientPort, int status) {
        // the connection as -yy shows it: TCP:[127.0.0.1:<server>->127.0.0.1:<client>], or TCPv6 with [::ffff:...]
        Pattern connection = Pattern.compile("^\\w+\\(\\d+<TCP(v6)?:\\[.*->\\[?(::ffff:)?127\\.0\\.0\\.1\\]?:"
                + clientPort + "\\]>.*");
        return named("write", "writev", "sendto", "sendmsg").and(call -> connection.matcher(call.text()).matches()
                && call.text().contains("HTTP/1.1 " + status));
    }
}
