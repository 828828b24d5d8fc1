package dev.baton.supervisor.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Checks what would make a spawn fail and builds the real argument vector. Failing here gives the operator a
 * precise one-line reason instead of an exit status 127 from deep inside a wrapper.
 *
 * <p>The vector is {@code setsid setpriv --pdeathsig SIG [--reuid U --regid G --init-groups] -- env -C DIR --
 * sh -c 'read -r baton_go || exit 111; [umask 0NNN;] exec "$0" "$@"' CMD ARGS}: {@code setsid} makes the worker lead a new
 * session and process group (so signals reach its children), {@code setpriv} arms the parent-death signal (a
 * SIGKILLed Baton leaves no worker running) and switches user, {@code env -C} enters the folder, and the shell
 * waits for one line on stdin: Baton sends it only once it holds the child's pipes, so even a command that
 * fails at once cannot exit before Baton can read its exact status; with a {@code umask} the shell sets it just
 * before its {@code exec}, so the worker and every file it creates have it. Each step execs the next, so the worker
 * keeps the pid Baton spawned. CMD is passed as written, so the worker's {@code argv[0]} is the word of
 * {@code command}, as supervisord and a shell give it; the shell looks it up in the worker's {@code PATH}, from the
 * folder, as {@link #problem} checked it first.
 */
public final class SpawnCheck {

    /**
     * Waits for Baton's go line on stdin, then becomes the command ($0) with its arguments; exits 111 if stdin
     * closes first (Baton went away before letting it run).
     */
    static final String GATE = "read -r baton_go || exit 111; exec \"$0\" \"$@\"";

    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private SpawnCheck() {
    }

    /** Why {@code spec} cannot start (missing folder, command not found...), or empty when it can. */
    public static Optional<String> problem(ProcessSpec spec) {
        try {
            argv(spec);
            return Optional.empty();
        } catch (SpawnException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * The vector that runs {@code command} (no shell) in {@code dir} as the leader of a new session and process
     * group: {@code setsid CMD ARGS}, the program looked up in {@code env}'s {@code PATH} as a worker's is. For a
     * command Baton waits for itself ({@code event_command}): a terminal's Ctrl-C does not reach it, and one
     * signal to its group ends whatever it started.
     */
    public static List<String> inOwnSession(List<String> command, Path dir, Map<String, String> env)
            throws SpawnException {
        checkDirectory(dir);
        List<String> argv = new ArrayList<>();
        argv.add(tool("setsid"));
        argv.add(executable(command.get(0), dir, env.getOrDefault("PATH", DEFAULT_PATH)));
        argv.addAll(command.subList(1, command.size()));
        return argv;
    }

    static List<String> argv(ProcessSpec spec) throws SpawnException {
        Path dir = spec.directory();
        checkDirectory(dir);
        List<String> argv = new ArrayList<>();
        argv.add(tool("setsid"));
        argv.add(tool("setpriv"));
        argv.add("--pdeathsig");
        argv.add(spec.deathSignal().name());
        if (spec.user().isPresent()) {
            Posix.UserInfo user = user(spec.user().get());
            argv.add("--reuid=" + user.uid());
            argv.add("--regid=" + user.gid());
            argv.add("--init-groups");
        }
        argv.add("--");
        argv.add(tool("env"));
        argv.add("-C");
        argv.add(dir.toString());
        argv.add("--");
        argv.add(tool("sh"));
        argv.add("-c");
        argv.add(gate(spec.umask()));
        executable(spec.command().get(0), dir, spec.environment().getOrDefault("PATH", DEFAULT_PATH));
        argv.addAll(spec.command()); // as written: the shell finds it as checked, and the worker's argv[0] is the word
        return argv;
    }

    /** The shell step: {@link #GATE}, with {@code umask 0NNN} before its {@code exec} when one is given. */
    static String gate(OptionalInt umask) {
        if (umask.isEmpty()) {
            return GATE;
        }
        return GATE.replace("exec ", "umask 0" + Integer.toOctalString(umask.getAsInt()) + "; exec ");
    }

    private static void checkDirectory(Path dir) throws SpawnException {
        if (!Files.exists(dir)) {
            throw new SpawnException("directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new SpawnException("directory " + dir + " is not a directory");
        }
    }

    private static Posix.UserInfo user(String name) throws SpawnException {
        Optional<Posix.UserInfo> found = Posix.lookupUser(name);
        if (found.isEmpty()) {
            throw new SpawnException("unknown user: " + name);
        }
        int euid = Posix.geteuid();
        if (euid != 0 && found.get().uid() != euid) {
            throw new SpawnException("cannot run as user " + name + ": baton is not running as root");
        }
        return found.get();
    }

    /**
     * The file a worker's command runs, looked up as a spawn looks it up ({@code env}'s {@code PATH}, from
     * {@code dir}); empty when no runnable file is found ({@link #problem} says why).
     */
    public static Optional<Path> commandFile(String command, Path dir, Map<String, String> env) {
        try {
            return Optional.of(Path.of(executable(command, dir, env.getOrDefault("PATH", DEFAULT_PATH))));
        } catch (SpawnException e) {
            return Optional.empty();
        }
    }

    static String executable(String command, Path dir, String path) throws SpawnException {
        if (command.contains("/")) {
            Path file = dir.resolve(command).normalize();
            if (!Files.exists(file)) {
                throw new SpawnException("command not found: " + file);
            }
            return checkRunnable(file);
        }
        Path denied = null;
        for (String entry : path.split(":")) {
            Path file = dir.resolve(entry.isEmpty() ? "." : entry).resolve(command);
            if (Files.isRegularFile(file)) {
                if (Files.isExecutable(file)) {
                    return file.toString();
                }
                denied = denied == null ? file : denied;
            }
        }
        if (denied != null) {
            throw new SpawnException("permission denied: " + denied);
        }
        throw new SpawnException("command not found: " + command);
    }

    private static String checkRunnable(Path file) throws SpawnException {
        if (Files.isDirectory(file)) {
            throw new SpawnException("permission denied: " + file + " is a directory");
        }
        if (!Files.isExecutable(file)) {
            throw new SpawnException("permission denied: " + file);
        }
        return file.toString();
    }

    private static String tool(String name) throws SpawnException {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path file = Path.of(dir, name);
            if (Files.isExecutable(file)) {
                return file.toString();
            }
        }
        throw new SpawnException(name + " not found in /usr/bin or /bin (install util-linux and coreutils)");
    }
}
