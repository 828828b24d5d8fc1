package dev.baton.conf.supervisord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code [program:x]} section as a {@code [program.x]} table. Options are expanded with the names supervisord
 * gives them ({@code _processes_from_section}): those read once per program with {@code here},
 * {@code program_name}, {@code group_name}, {@code host_node_name} and {@code ENV_X}; those read for each worker
 * ({@code environment}, {@code directory}, {@code command}, the log options, {@code process_name}) also with
 * {@code process_num}, {@code numprocs} and {@code ENV_X} of the program's own environment.
 */
final class ProgramImport {

    /** Every option supervisord 4.2 reads in {@code [program:x]}. */
    static final Set<String> KEYS = Set.of("command", "process_name", "numprocs", "numprocs_start", "priority",
            "autostart", "startsecs", "startretries", "autorestart", "exitcodes", "stopsignal", "stopwaitsecs",
            "stopasgroup", "killasgroup", "user", "redirect_stderr", "stdout_logfile", "stdout_logfile_maxbytes",
            "stdout_logfile_backups", "stdout_capture_maxbytes", "stdout_events_enabled", "stdout_syslog",
            "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups", "stderr_capture_maxbytes",
            "stderr_events_enabled", "stderr_syslog", "environment", "directory", "umask", "serverurl");

    private static final Pattern BATON_PLACEHOLDER =
            Pattern.compile("\\{(worker|generation|port|socket|program|process_name)(?::[^{}]*)?}");
    private static final Pattern BATON_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final long DEFAULT_MAXBYTES = 50L * 1024 * 1024;

    private final IniSection section;
    private final String name;
    private final SupervisordImport.Context context;
    private final Map<String, Object> names;
    private final TomlTable table;
    private final TomlTable environment;
    private int numprocs;
    private int numprocsStart;

    private ProgramImport(IniSection section, String name, String group, SupervisordImport.Context context) {
        this.section = section;
        this.name = name;
        this.context = context;
        this.names = new HashMap<>(context.names());
        names.put("program_name", name);
        names.put("group_name", group);
        String batonName = BATON_NAME.matcher(name).matches() ? name : name.replaceAll("[^A-Za-z0-9_.-]", "_");
        if (!batonName.equals(name)) {
            note("", "Baton's program names have only letters, digits, \"_\", \"-\" and \".\": written as "
                    + batonName);
        }
        this.table = new TomlTable("program", batonName)
                .comment("[" + section.name() + "] in " + section.file() + ":" + section.line());
        this.environment = new TomlTable("program", batonName, "environment");
    }

    /** The tables of {@code section} (the program's, then its environment when it has one). */
    static List<TomlTable> convert(IniSection section, String group, SupervisordImport.Context context)
            throws ImportException {
        String name = SupervisordImport.processOrGroupName(section);
        return new ProgramImport(section, name, group, context).convert();
    }

    private List<TomlTable> convert() throws ImportException {
        int priority = integer("priority", 999);
        boolean autostart = bool("autostart", true);
        String autorestart = raw("autorestart").map(String::strip).orElse("unexpected");
        String restart = autorestart.toLowerCase(java.util.Locale.ROOT);
        Object restartValue = restart.equals("unexpected") ? null : parse("autorestart", autorestart,
                PythonValues::bool);
        int startsecs = integer("startsecs", 1);
        int startretries = integer("startretries", 3);
        String stopsignal = parse("stopsignal", raw("stopsignal").orElse("TERM"), PythonValues::signal);
        int stopwaitsecs = integer("stopwaitsecs", 10);
        boolean stopasgroup = bool("stopasgroup", false);
        boolean killasgroup = bool("killasgroup", stopasgroup);
        List<Integer> exitcodes = parse("exitcodes", raw("exitcodes").orElse("0"), PythonValues::exitcodes);
        boolean redirectStderr = bool("redirect_stderr", false);
        numprocs = integer("numprocs", 1);
        numprocsStart = integer("numprocs_start", 0);
        String processName = section.get("process_name").map(IniSection.Entry::value).orElse("%(program_name)s");
        Optional<String> user = raw("user");
        Optional<Integer> umask = raw("umask").isPresent()
                ? Optional.of(parse("umask", raw("umask").get(), PythonValues::octal)) : context.umask();
        for (String character : List.of(" ", ":", "/")) {
            if (processName.strip().contains(character)) {
                throw error("process_name", "invalid name \"" + processName + "\" because of character \""
                        + character + "\"");
            }
        }
        if (numprocs > 1 && !processName.contains("%(process_num)")) {
            throw new ImportException(section.where(section.has("process_name") ? "process_name" : "numprocs")
                    + ": [" + section.name() + "] process_name: %(process_num) must be present within process_name"
                    + " when numprocs > 1");
        }
        if (stopasgroup && !killasgroup) {
            throw error("killasgroup", "cannot set stopasgroup=true and killasgroup=false");
        }
        if (numprocs < 1) {
            note("numprocs", numprocs + ": supervisord starts no process of it, Baton needs at least one; the"
                    + " program is written with numprocs = 1 and autostart = false");
            numprocs = 1;
            autostart = false;
        }
        names.put("process_num", Expansion.PROCESS_NUM);
        names.put("numprocs", numprocs);
        Map<String, String> env = environment();
        String command = section.get("command").map(IniSection.Entry::value).orElseThrow(() -> new ImportException(
                section.file() + ":" + section.line() + ": [" + section.name() + "] does not specify a command"));
        command = template("command", expand("command", command), true);
        if (command.isBlank()) {
            throw error("command", "is empty");
        }
        table.put("command", command);
        if (!processName.equals("%(program_name)s")) {
            table.put("process_name", template("process_name", expand("process_name", processName), false));
        }
        putIf(numprocs != 1, "numprocs", numprocs);
        if (numprocsStart < 0) {
            note("numprocs_start", "Baton numbers workers from 0 up: not carried, the workers are numbered from 0");
        } else {
            putIf(numprocsStart != 0, "numprocs_start", numprocsStart);
        }
        table.put("directory", directory());
        user.ifPresent(u -> table.put("user", u));
        umask.ifPresent(u -> table.put("umask", String.format("%03o", u)));
        putIf(priority != 999, "priority", priority);
        putIf(!autostart, "autostart", false);
        putIf(restartValue != null, "autorestart", restartValue);
        putIf(!exitcodes.equals(List.of(0)), "exitcodes", exitcodes);
        nonNegative("startsecs", startsecs, 1);
        nonNegative("startretries", startretries, 3);
        putIf(!stopsignal.equals("TERM"), "stopsignal", stopsignal);
        nonNegative("stopwaitsecs", stopwaitsecs, 10);
        if (section.has("stopasgroup") || section.has("killasgroup")) {
            table.put("stopasgroup", stopasgroup).put("killasgroup", killasgroup);
        } else {
            context.once("stopasgroup", section, name, "not set, so supervisord signalled only the main process;"
                    + " Baton signals the whole process group by default (stopasgroup and killasgroup true): set"
                    + " both to false to keep the old behaviour");
        }
        putIf(redirectStderr, "redirect_stderr", true);
        logs("stdout", false);
        logs("stderr", redirectStderr);
        otherKeys();
        ServerHints.hint(command, numprocsStart).forEach(table::trailer);
        env.forEach(environment::put);
        return environment.isEmpty() ? List.of(table) : List.of(table, environment);
    }

    /** {@code environment}, expanded for the workers, its values as Baton templates; adds ENV_X to the names. */
    private Map<String, String> environment() throws ImportException {
        Optional<String> text = raw("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return result;
        }
        Map<String, String> pairs;
        try {
            pairs = KeyValuePairs.parse(expand("environment", text.get()));
        } catch (IllegalArgumentException e) {
            throw error("environment", e.getMessage());
        }
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (WorkerMarks.marked(pair.getKey())) {
                throw error("environment", "a variable's name differs per worker; Baton cannot do that");
            }
            names.put("ENV_" + pair.getKey(), pair.getValue());
            result.put(pair.getKey(), template("environment", pair.getValue(), true));
        }
        return result;
    }

    /** {@code directory}, else [supervisord] directory, else "/": where supervisord ran the program. */
    private String directory() throws ImportException {
        Optional<String> text = raw("directory");
        if (text.isEmpty()) {
            if (context.directory().isEmpty()) {
                context.once("directory", section, name, "not set: supervisord ran the program in its own working"
                        + " directory, \"/\" under systemd, while Baton's default is the folder of baton.toml;"
                        + " written as \"/\": change it if supervisord was started elsewhere");
            }
            return context.directory().orElse("/");
        }
        String directory = concrete("directory", expand("directory", text.get()));
        return context.resolve(directory, section, name);
    }

    private void logs(String stream, boolean redirected) throws ImportException {
        String key = stream + "_logfile";
        Optional<String> text = raw(key);
        if (text.isPresent()) { // supervisord expands it twice
            String value = expand(key, text.get());
            String lower = value.toLowerCase(java.util.Locale.ROOT);
            if (redirected && !lower.equals("auto") && !lower.equals("none") && !lower.equals("off")) {
                note(key, "not carried: supervisord ignores it too, as redirect_stderr = true sends stderr to the"
                        + " stdout log");
            } else if (lower.equals("none") || lower.equals("off")) {
                table.put(key, "NONE");
            } else if (lower.equals("syslog")) {
                note(key, "syslog (deprecated in supervisord): Baton writes no syslog; the lines go to the default"
                        + " file under [baton] log_dir, and with [baton] log_to_stdout = true to the journal too");
            } else if (!lower.equals("auto")) {
                String path = value.startsWith("~/") && context.home().isPresent()
                        ? context.home().get() + value.substring(1) : value;
                table.put(key, template(key, context.resolve(path, section, name), false));
            }
        }
        String maxbytesKey = key + "_maxbytes";
        Optional<String> maxbytes = raw(maxbytesKey);
        if (maxbytes.isPresent()) {
            Object size = parse(maxbytesKey, concrete(maxbytesKey, maxbytes.get()),
                    PythonValues::byteSize);
            if (PythonValues.bytes(size) < 0) {
                note(maxbytesKey, "not carried: negative");
            } else if (PythonValues.bytes(size) != DEFAULT_MAXBYTES) {
                table.put(maxbytesKey, size);
            }
        }
        String backupsKey = key + "_backups";
        Optional<String> backups = raw(backupsKey);
        if (backups.isPresent()) {
            int count = parse(backupsKey, concrete(backupsKey, backups.get()),
                    PythonValues::smallInteger);
            nonNegative(backupsKey, count, 10);
        }
    }

    /** Notes for the options Baton has no use for, and for those supervisord does not know. */
    private void otherKeys() {
        for (String key : section.options().keySet()) {
            if (key.endsWith("_capture_maxbytes")) {
                note(key, "not carried: Baton has no process communication mode (capture events)");
            } else if (key.endsWith("_events_enabled")) {
                note(key, "not carried: Baton emits no PROCESS_LOG events; [baton] event_command gets"
                        + " state changes");
            } else if (key.endsWith("_syslog")) {
                note(key, "not carried: Baton writes no syslog; with [baton] log_to_stdout = true the"
                        + " journal gets the lines");
            } else if (key.equals("serverurl")) {
                note(key, "not carried: Baton sets no SUPERVISOR_SERVER_URL; a worker that ran"
                        + " supervisorctl can run baton -c FILE instead");
            } else if (!KEYS.contains(key)) {
                note(key, "not carried: unknown to supervisord 4.2, which ignores it");
            }
        }
    }

    /**
     * {@code expanded} as a Baton template: marks become {@code {worker}}; {@code $} is doubled where Baton expands
     * {@code ${VAR}}; text that Baton would take for a placeholder is noted (it has no escape for braces).
     */
    private String template(String key, String expanded, boolean dollars) {
        return WorkerMarks.template(expanded, literal -> {
            Matcher m = BATON_PLACEHOLDER.matcher(literal);
            if (m.find()) {
                note(key, "\"" + m.group() + "\" is literal text in supervisord but a placeholder in Baton, which"
                        + " replaces it for each worker; change the program so it needs no such text");
            }
            return dollars ? literal.replace("$", "$$") : literal;
        }, problem -> note(key, problem));
    }

    /** A value Baton has once for every worker: the first worker's when it differs per worker (noted). */
    private String concrete(String key, String expanded) {
        if (WorkerMarks.marked(expanded) && numprocs > 1) {
            note(key, "uses %(process_num) but Baton has one value for every worker: written as worker "
                    + numprocsStart + "'s");
        }
        return WorkerMarks.concrete(expanded, numprocsStart);
    }

    private void nonNegative(String key, int value, int defaultValue) {
        if (value < 0) {
            note(key, "not carried: negative");
        } else {
            putIf(value != defaultValue, key, value);
        }
    }

    private void putIf(boolean condition, String key, Object value) {
        if (condition) {
            table.put(key, value);
        }
    }

    /** The option's text expanded with the names supervisord reads it with (before the workers' names). */
    private Optional<String> raw(String key) throws ImportException {
        Optional<IniSection.Entry> entry = section.get(key);
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        if (key.equals("environment")) {
            return Optional.of(entry.get().value());
        }
        return Optional.of(expand(key, entry.get().value()));
    }

    private String expand(String key, String text) throws ImportException {
        return Expansion.expand(text, names, where(key));
    }

    private int integer(String key, int defaultValue) throws ImportException {
        Optional<String> text = raw(key);
        return text.isEmpty() ? defaultValue : parse(key, text.get(), PythonValues::smallInteger);
    }

    private boolean bool(String key, boolean defaultValue) throws ImportException {
        Optional<String> text = raw(key);
        return text.isEmpty() ? defaultValue : parse(key, text.get(), PythonValues::bool);
    }

    private <T> T parse(String key, String text, java.util.function.Function<String, T> parser)
            throws ImportException {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    private ImportException error(String key, String message) {
        return new ImportException(where(key) + ": " + message);
    }

    private String where(String key) {
        return section.where(key) + ": [" + section.name() + "] " + key;
    }

    private void note(String key, String message) {
        context.notes().add(new SupervisordImport.Note(section.name(), key, message));
    }
}
