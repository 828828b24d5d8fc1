package dev.baton.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code [program.NAME]} table. Option names and defaults follow supervisord's where the meaning is the same.
 *
 * <p>{@code command} and {@code environment} values are templates: {@code ${VAR}} was already expanded from Baton's
 * environment when the file was read; the placeholders {@code {worker}}, {@code {generation}}, {@code {port}} and
 * {@code {socket}} are expanded for each worker when it starts (see {@link #PLACEHOLDERS}).
 *
 * @param name                 the NAME of {@code [program.NAME]}: letters, digits, {@code _ - .}
 * @param command              argument vector, split like a POSIX shell would (quotes, backslashes), no shell run
 * @param directory            working directory, resolved against the config folder; default: the config folder
 * @param environment          extra environment variables (TOML table of strings); default empty
 * @param numprocs             worker count, at least 1; default 1
 * @param autostart            start with the daemon; default true
 * @param autorestart          default {@link AutoRestart#UNEXPECTED}
 * @param exitcodes            expected exit codes for {@code autorestart = "unexpected"}; default [0]
 * @param startsecs            seconds a worker must stay up to count as started; default 1
 * @param startretries         failed starts in a row before FATAL; default 3
 * @param stopsignal           default TERM
 * @param stopwaitsecs         seconds between stopsignal and SIGKILL; default 10
 * @param stopasgroup          send stopsignal to the worker's whole process group; default true
 * @param killasgroup          send SIGKILL to the worker's whole process group; default true
 * @param redirectStderr       stderr goes to the stdout log; default false
 * @param stdoutLogfileMaxbytes rotate the stdout log past this size, 0 = never; default 50 MB (50 * 1024 * 1024);
 *                             TOML accepts an integer or a string such as "50MB", "512KB", "1GB"
 * @param stdoutLogfileBackups rotated stdout files kept; default 10
 * @param stderrLogfileMaxbytes same for stderr; default 50 MB
 * @param stderrLogfileBackups same for stderr; default 10
 * @param priority             start order, lower first; stop in reverse; default 999
 * @param user                 run workers as this user (Baton must run as root); default: Baton's user
 * @param reload               how {@code baton reload} replaces the workers; see {@link ReloadConfig}
 * @param proxy                the reverse proxy in front of the workers: present exactly when the table has
 *                             {@code listen}; see {@link ProxyConfig}
 * @param recycle              when running workers are replaced (max_requests, max_memory, max_lifetime, hung
 *                             workers); see {@link RecycleConfig}
 * @param naming               worker numbers and names ({@code numprocs_start}, {@code process_name}); see
 *                             {@link WorkerNaming}
 * @param umask                the workers' file mode creation mask; key {@code umask}, default Baton's own
 * @param stdoutLogfile        where stdout goes; key {@code stdout_logfile}, default {@link LogDestination#AUTO}
 * @param stderrLogfile        where stderr goes; key {@code stderr_logfile}, default {@link LogDestination#AUTO}
 */
public record ProgramConfig(
        String name,
        List<String> command,
        Path directory,
        Map<String, String> environment,
        int numprocs,
        boolean autostart,
        AutoRestart autorestart,
        List<Integer> exitcodes,
        int startsecs,
        int startretries,
        Signal stopsignal,
        int stopwaitsecs,
        boolean stopasgroup,
        boolean killasgroup,
        boolean redirectStderr,
        long stdoutLogfileMaxbytes,
        int stdoutLogfileBackups,
        long stderrLogfileMaxbytes,
        int stderrLogfileBackups,
        int priority,
        Optional<String> user,
        ReloadConfig reload,
        Optional<ProxyConfig> proxy,
        RecycleConfig recycle,
        WorkerNaming naming,
        OptionalInt umask,
        LogDestination stdoutLogfile,
        LogDestination stderrLogfile) {

    /** The per-worker placeholders expanded in {@code command} and {@code environment} values. */
    public static final List<String> PLACEHOLDERS =
            List.of("{worker}", "{generation}", "{port}", "{socket}", "{program}");

    /** Without the keys of naming, umask and log files: their defaults. */
    public ProgramConfig(String name, List<String> command, Path directory, Map<String, String> environment,
                         int numprocs, boolean autostart, AutoRestart autorestart, List<Integer> exitcodes,
                         int startsecs, int startretries, Signal stopsignal, int stopwaitsecs, boolean stopasgroup,
                         boolean killasgroup, boolean redirectStderr, long stdoutLogfileMaxbytes,
                         int stdoutLogfileBackups, long stderrLogfileMaxbytes, int stderrLogfileBackups, int priority,
                         Optional<String> user, ReloadConfig reload, Optional<ProxyConfig> proxy,
                         RecycleConfig recycle) {
        this(name, command, directory, environment, numprocs, autostart, autorestart, exitcodes, startsecs,
                startretries, stopsignal, stopwaitsecs, stopasgroup, killasgroup, redirectStderr,
                stdoutLogfileMaxbytes, stdoutLogfileBackups, stderrLogfileMaxbytes, stderrLogfileBackups, priority,
                user, reload, proxy, recycle, WorkerNaming.DEFAULTS, OptionalInt.empty(), LogDestination.AUTO,
                LogDestination.AUTO);
    }

    /** Without recycling keys: their defaults. */
    public ProgramConfig(String name, List<String> command, Path directory, Map<String, String> environment,
                         int numprocs, boolean autostart, AutoRestart autorestart, List<Integer> exitcodes,
                         int startsecs, int startretries, Signal stopsignal, int stopwaitsecs, boolean stopasgroup,
                         boolean killasgroup, boolean redirectStderr, long stdoutLogfileMaxbytes,
                         int stdoutLogfileBackups, long stderrLogfileMaxbytes, int stderrLogfileBackups, int priority,
                         Optional<String> user, ReloadConfig reload, Optional<ProxyConfig> proxy) {
        this(name, command, directory, environment, numprocs, autostart, autorestart, exitcodes, startsecs,
                startretries, stopsignal, stopwaitsecs, stopasgroup, killasgroup, redirectStderr,
                stdoutLogfileMaxbytes, stdoutLogfileBackups, stderrLogfileMaxbytes, stderrLogfileBackups, priority,
                user, reload, proxy, RecycleConfig.DEFAULTS);
    }

    public ProgramConfig {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        exitcodes = List.copyOf(exitcodes);
    }

    /** True when any command argument or environment value uses {@code {port}}. */
    public boolean usesPort() {
        return uses("{port}");
    }

    /** True when any command argument or environment value uses {@code {socket}}. */
    public boolean usesSocket() {
        return uses("{socket}");
    }

    /** This configuration with another worker count. */
    public ProgramConfig withNumprocs(int count) {
        return new ProgramConfig(name, command, directory, environment, count, autostart, autorestart, exitcodes,
                startsecs, startretries, stopsignal, stopwaitsecs, stopasgroup, killasgroup, redirectStderr,
                stdoutLogfileMaxbytes, stdoutLogfileBackups, stderrLogfileMaxbytes, stderrLogfileBackups, priority,
                user, reload, proxy, recycle, naming, umask, stdoutLogfile, stderrLogfile);
    }

    /** This configuration with another reload strategy ({@code baton reload --canary}). */
    public ProgramConfig withReloadStrategy(ReloadStrategy strategy) {
        return new ProgramConfig(name, command, directory, environment, numprocs, autostart, autorestart, exitcodes,
                startsecs, startretries, stopsignal, stopwaitsecs, stopasgroup, killasgroup, redirectStderr,
                stdoutLogfileMaxbytes, stdoutLogfileBackups, stderrLogfileMaxbytes, stderrLogfileBackups, priority,
                user, reload.withStrategy(strategy), proxy, recycle, naming, umask, stdoutLogfile, stderrLogfile);
    }

    /** The number of the worker in slot {@code slot} (0 to numprocs - 1): {@code numprocs_start + slot}. */
    public int workerNumber(int slot) {
        return naming.numprocsStart() + slot;
    }

    /** The name {@code status} and {@code logs} show for worker {@code number}: {@code web:2} by default. */
    public String workerName(int number) {
        return naming.name(name, number);
    }

    private boolean uses(String placeholder) {
        String bare = placeholder.substring(1, placeholder.length() - 1);
        return command.stream().anyMatch(a -> Placeholders.uses(a, bare))
                || environment.values().stream().anyMatch(v -> Placeholders.uses(v, bare));
    }
}
