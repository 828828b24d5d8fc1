package dev.baton.conf.internal;

import dev.baton.conf.AutoRestart;
import dev.baton.conf.CanaryConfig;
import dev.baton.conf.Placeholders;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.RecycleConfig;
import dev.baton.conf.ReloadConfig;
import dev.baton.conf.ReloadStrategy;
import dev.baton.conf.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tomlj.TomlArray;

/** Reads one {@code [program.NAME]} table. */
public final class ProgramReader {

    /** Every supervisor key {@code [program.NAME]} accepts; the proxy keys are {@link ProxyReader#KEYS}. */
    public static final List<String> KEYS = List.of(
            "command", "directory", "environment", "environment_file", "numprocs", "autostart", "autorestart", "exitcodes",
            "startsecs", "startretries", "stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup",
            "redirect_stderr", "stdout_logfile_maxbytes", "stdout_logfile_backups",
            "stderr_logfile_maxbytes", "stderr_logfile_backups", "priority", "user", "reload_strategy", "max_surge",
            "start_timeout", "canary_weight", "canary_duration", "canary_max_error_increase",
            "canary_max_latency_ratio", "max_requests", "max_requests_jitter", "max_memory", "memory_check_interval",
            "max_lifetime", "replace_unhealthy_after", "numprocs_start", "process_name", "umask", "stdout_logfile",
            "stderr_logfile");

    private static final List<String> ALL_KEYS =
            Stream.concat(KEYS.stream(), ProxyReader.KEYS.stream()).collect(Collectors.toUnmodifiableList());

    /** supervisord keys Baton deliberately does without, and what to do instead. */
    private static final Map<String, String> NOTES = Map.of();

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final long DEFAULT_MAXBYTES = 50L * 1024 * 1024;
    private static final Duration MAX_LIFETIME = Duration.ofDays(30);
    private static final String SIGNALS =
            Arrays.stream(Signal.values()).map(Signal::name).collect(Collectors.joining(", "));

    private ProgramReader() {
    }

    /**
     * Reads {@code program}. Problems go to the section's {@link Problems}; the returned value is then only
     * partly meaningful and must be discarded.
     *
     * @param base   the configuration file's folder, against which {@code directory} and other paths are resolved
     * @param owners every listen address of the file so far; this program's are added
     * @param global the {@code [baton] environment} table, under the program's environment
     */
    public static ProgramConfig read(Section program, String name, Path base, EnvExpander env,
                                     ListenOwners owners, Map<String, String> global) {
        if (!NAME.matcher(name).matches()) {
            program.errorAtHeader("invalid program name, use only letters, digits, \"_\", \"-\" and \".\"");
        }
        program.rejectUnknownKeys(ALL_KEYS, NOTES);
        int numprocs = program.integer("numprocs", 1, 1);
        boolean redirectStderr = program.bool("redirect_stderr", false);
        if (redirectStderr && program.has("stderr_logfile")) {
            program.error("stderr_logfile", "has no effect with redirect_stderr = true");
        }
        ProgramConfig config = new ProgramConfig(
                name,
                command(program, env),
                program.path("directory", base).orElse(base),
                environment(program, base, env, global),
                numprocs,
                program.bool("autostart", true),
                autorestart(program),
                exitcodes(program),
                program.integer("startsecs", 1, 0),
                program.integer("startretries", 3, 0),
                stopsignal(program),
                program.integer("stopwaitsecs", 10, 0),
                program.bool("stopasgroup", true),
                program.bool("killasgroup", true),
                redirectStderr,
                program.size("stdout_logfile_maxbytes", DEFAULT_MAXBYTES, 0, Long.MAX_VALUE),
                program.integer("stdout_logfile_backups", 10, 0),
                program.size("stderr_logfile_maxbytes", DEFAULT_MAXBYTES, 0, Long.MAX_VALUE),
                program.integer("stderr_logfile_backups", 10, 0),
                program.integer("priority", 999, Integer.MIN_VALUE),
                program.nonEmptyString("user"),
                reload(program),
                ProxyReader.read(program, base, owners),
                recycle(program),
                ProcessKeys.naming(program, numprocs),
                ProcessKeys.umask(program),
                ProcessKeys.logfile(program, "stdout_logfile", base),
                ProcessKeys.logfile(program, "stderr_logfile", base));
        if (config.proxy().isPresent() && !config.proxy().get().listen().isEmpty() && !config.usesPort()
                && !config.usesSocket()) {
            program.error("listen", "the workers must listen where Baton tells them: use {port} or {socket}"
                    + " in command or environment");
        }
        boolean proxied = config.proxy().isPresent();
        if (!proxied && config.recycle().maxRequests() > 0) {
            program.error("max_requests", "needs listen: Baton counts the requests it proxies to each worker");
        }
        if (!proxied && config.reload().strategy() == ReloadStrategy.CANARY) {
            program.error("reload_strategy", "\"canary\" needs listen: the canary's share of requests goes through"
                    + " Baton's proxy");
        }
        if (config.recycle().maxRequestsJitter() > 0 && config.recycle().maxRequests() == 0) {
            program.error("max_requests_jitter", "has no effect without max_requests");
        }
        return config;
    }

    private static RecycleConfig recycle(Section program) {
        RecycleConfig d = RecycleConfig.DEFAULTS;
        return new RecycleConfig(
                program.integer("max_requests", d.maxRequests(), 0),
                program.integer("max_requests_jitter", d.maxRequestsJitter(), 0),
                program.size("max_memory", d.maxMemory(), 0, Long.MAX_VALUE),
                program.duration("memory_check_interval", d.memoryCheckInterval()),
                program.duration("max_lifetime", d.maxLifetime(), true, MAX_LIFETIME),
                program.duration("replace_unhealthy_after", d.replaceUnhealthyAfter(), true, Section.MAX_DURATION));
    }

    /** Splits {@code command} into words, then expands {@code ${VAR}} in each word (so a value never splits). */
    private static List<String> command(Section program, EnvExpander env) {
        if (!program.has("command")) {
            program.errorAtHeader("missing required key \"command\"");
            return List.of();
        }
        placeholderProblem(program, "command");
        return command(program, "command", env);
    }

    /**
     * Splits the command line at {@code key} into words, then expands {@code ${VAR}} in each word (so a value
     * never splits); an empty list, with the problem reported, when it is not a usable command.
     */
    static List<String> command(Section section, String key, EnvExpander env) {
        Optional<String> text = section.nonEmptyString(key);
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> words;
        try {
            words = CommandSplitter.split(text.get());
        } catch (IllegalArgumentException e) {
            section.error(key, e.getMessage());
            return List.of();
        }
        List<String> expanded = new ArrayList<>(words.size());
        for (String word : words) {
            expanded.add(env.expand(word, message -> section.error(key, message)));
        }
        if (expanded.isEmpty() || expanded.get(0).isEmpty()) {
            section.error(key, "the program to run (first word) is empty");
        }
        return expanded;
    }

    /** {@code [baton] environment}, under the {@code environment_file}s in order, under the program's table. */
    private static Map<String, String> environment(Section program, Path base, EnvExpander env,
                                                   Map<String, String> global) {
        Map<String, String> merged = new LinkedHashMap<>(global);
        merged.putAll(EnvironmentReader.files(program, base));
        merged.putAll(EnvironmentReader.table(program, env));
        return merged;
    }

    /** Reports a bad format spec in the per-worker placeholders of a string value ({@code {worker:x}}). */
    private static void placeholderProblem(Section section, String key) {
        if (section.get(key) instanceof String template) {
            Placeholders.problem(template).ifPresent(message -> section.error(key, message));
        }
    }

    private static AutoRestart autorestart(Section program) {
        Object value = program.get("autorestart");
        if (value == null) {
            return AutoRestart.UNEXPECTED;
        }
        if (value instanceof Boolean always) {
            return always ? AutoRestart.ALWAYS : AutoRestart.NEVER;
        }
        if (value instanceof String text && text.equalsIgnoreCase("unexpected")) {
            return AutoRestart.UNEXPECTED;
        }
        if (value instanceof String text) {
            program.error("autorestart", "must be true, false or \"unexpected\", found \"" + text + "\"");
        } else {
            program.typeError("autorestart", "a boolean or \"unexpected\"");
        }
        return AutoRestart.UNEXPECTED;
    }

    /** An array of exit codes, or a single one. */
    private static List<Integer> exitcodes(Section program) {
        Object value = program.get("exitcodes");
        if (value == null) {
            return List.of(0);
        }
        if (value instanceof Long code) {
            return program.checkRange("exitcodes", code, 0, 255) ? List.of(code.intValue()) : List.of(0);
        }
        if (!(value instanceof TomlArray array)) {
            program.typeError("exitcodes", "an array of integers");
            return List.of(0);
        }
        List<Integer> codes = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Object element = array.get(i);
            if (!(element instanceof Long code)) {
                program.errorAtElement("exitcodes", array, i,
                        "expected an integer, found " + Section.typeName(element));
                continue;
            }
            Optional<String> problem = Section.rangeProblem(code, 0, 255);
            if (problem.isPresent()) {
                program.errorAtElement("exitcodes", array, i, problem.get());
            } else {
                codes.add(code.intValue());
            }
        }
        return codes;
    }

    private static ReloadConfig reload(Section program) {
        ReloadConfig d = ReloadConfig.DEFAULTS;
        ReloadStrategy strategy = d.strategy();
        Optional<String> text = program.string("reload_strategy");
        if (text.isPresent()) {
            strategy = Arrays.stream(ReloadStrategy.values()).filter(s -> s.name().equalsIgnoreCase(text.get()))
                    .findFirst().orElse(null);
            if (strategy == null) {
                program.error("reload_strategy", "must be \"surge\", \"rolling\", \"restart\" or \"canary\","
                        + " found \"" + text.get() + "\"");
                strategy = d.strategy();
            }
        }
        CanaryConfig c = d.canary();
        CanaryConfig canary = new CanaryConfig(
                program.integer("canary_weight", c.weight(), 1, 100),
                program.duration("canary_duration", c.duration()),
                program.number("canary_max_error_increase", c.maxErrorIncrease(), 0, 100),
                program.number("canary_max_latency_ratio", c.maxLatencyRatio(), 1, 1000));
        return new ReloadConfig(strategy, program.integer("max_surge", d.maxSurge(), 1),
                program.duration("start_timeout", d.startTimeout()), canary);
    }

    private static Signal stopsignal(Section program) {
        Optional<String> name = program.string("stopsignal");
        if (name.isEmpty()) {
            return Signal.TERM;
        }
        Optional<Signal> signal = Signal.parse(name.get());
        if (signal.isEmpty()) {
            program.error("stopsignal", "unknown signal \"" + name.get() + "\", expected one of " + SIGNALS);
        }
        return signal.orElse(Signal.TERM);
    }
}
