package dev.baton.conf.supervisord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Converts a supervisord configuration (its main file and includes) into a Baton configuration: {@code baton
 * import}. Pure: the environment ({@code %(ENV_X)s}) and the host name ({@code %(host_node_name)s}) are given, and
 * the output has no timestamp, so the same input always gives the same text.
 *
 * <p>What cannot be carried over is never dropped silently: it is a {@link Note} naming the section and option and
 * what to do instead. What supervisord itself would refuse to start with is an {@link ImportException}.
 */
public final class SupervisordImport {

    /** Something of the input the output does not carry, or carries differently: section, option, what to do. */
    public record Note(String section, String key, String message) {

        public Note {
            Objects.requireNonNull(section, "section");
            Objects.requireNonNull(key, "key");
        }

        /** {@code [program:web] stdout_events_enabled: ...}, or {@code [inet_http_server]: ...}. */
        @Override
        public String toString() {
            return "[" + section + "]" + (key.isEmpty() ? ":" : " " + key + ":") + " " + message;
        }
    }

    /** The Baton configuration's text, and the notes about it in input order. */
    public record Result(String toml, List<Note> notes) {

        public Result {
            notes = List.copyOf(notes);
        }
    }

    /** What every program's conversion shares: the names, supervisord's own settings, the notes. */
    record Context(Map<String, Object> names, Optional<String> directory, Optional<Integer> umask,
                   Optional<String> home, List<Note> notes, Map<String, List<String>> onceNotes,
                   Map<String, Note> onceFirst) {

        /**
         * A note said once for every program it applies to: the first program's section, the others listed
         * when the notes are collected.
         */
        void once(String key, IniSection section, String program, String message) {
            onceNotes.computeIfAbsent(key, k -> new ArrayList<>()).add(program);
            if (!onceFirst.containsKey(key)) {
                Note note = new Note(section.name(), key, message);
                onceFirst.put(key, note);
                notes.add(note);
            }
        }

        /** {@code path} made absolute against supervisord's working directory ([supervisord] directory, or "/"). */
        String resolve(String path, IniSection section, String program) {
            if (path.startsWith("/")) {
                return path;
            }
            if (directory.isEmpty()) {
                once("relative", section, program, "a relative path is relative to supervisord's working"
                        + " directory, \"/\" under systemd; written from \"/\"");
            }
            return Path.of(directory.orElse("/")).resolve(path).normalize().toString();
        }
    }

    private SupervisordImport() {
    }

    /**
     * Reads {@code file} and the files it includes and converts them.
     *
     * @param env      the environment {@code %(ENV_X)s} is expanded from, normally {@link System#getenv()}
     * @param hostName {@code %(host_node_name)s}
     * @throws ImportException a one-line reason when the input cannot be read or supervisord would reject it
     */
    public static Result convert(Path file, Map<String, String> env, String hostName) throws ImportException {
        Map<String, Object> names = new HashMap<>();
        env.forEach((key, value) -> names.put("ENV_" + key, value));
        names.put("here", file.toAbsolutePath().normalize().getParent().toString());
        Map<String, Object> includeNames = new HashMap<>(names);
        includeNames.put("host_node_name", hostName);
        SupervisordFiles files = SupervisordFiles.read(file, includeNames);
        List<Note> notes = new ArrayList<>(files.notes());

        IniSection supervisord = files.sections().stream().filter(s -> s.name().equals("supervisord")).findFirst()
                .orElse(null);
        TomlTable batonEnvironment = new TomlTable("baton", "environment");
        DaemonImport daemon = DaemonImport.convert(supervisord, names, hostName, batonEnvironment, notes);
        if (supervisord == null) {
            notes.add(new Note("supervisord", "", "no such section: read as an included file (supervisord wants"
                    + " one in its main file)"));
        }
        Map<String, Object> programNames = new HashMap<>(names);
        programNames.put("host_node_name", hostName);
        Context context = new Context(programNames, daemon.directory(), daemon.umask(),
                Optional.ofNullable(env.get("HOME")), notes, new LinkedHashMap<>(), new LinkedHashMap<>());

        GroupImport groups = GroupImport.read(files.sections(), names, notes);
        List<TomlTable> tables = new ArrayList<>();
        if (!batonEnvironment.isEmpty()) {
            tables.add(batonEnvironment);
        }
        int programs = 0;
        for (IniSection section : files.sections()) {
            switch (section.kind()) {
                case "program" -> {
                    String name = processOrGroupName(section);
                    tables.addAll(ProgramImport.convert(section, groups.groupOf(name).orElse(name), context));
                    programs++;
                }
                case "supervisord", "include", "group" -> { }
                default -> notes.add(OtherSections.note(section));
            }
        }
        tables.addAll(groups.tables());
        finishOnceNotes(context);
        return new Result(text(file, files, tables, programs), context.notes());
    }

    private static void finishOnceNotes(Context context) {
        context.onceFirst().forEach((key, note) -> {
            List<String> programs = context.onceNotes().get(key);
            if (programs.size() > 1) {
                int at = context.notes().indexOf(note);
                context.notes().set(at, new Note(note.section(), note.key(), note.message() + " (applies to "
                        + String.join(", ", programs) + ")"));
            }
        });
    }

    private static String text(Path file, SupervisordFiles files, List<TomlTable> tables, int programs) {
        StringBuilder out = new StringBuilder();
        out.append("# Baton configuration generated by baton import from ").append(file).append('\n');
        if (files.files().size() > 1) {
            out.append("# and the ").append(files.files().size() - 1).append(" files it includes\n");
        }
        out.append("# Review the notes baton import printed, then run: baton check -c FILE\n");
        if (programs == 0) {
            out.append("# (the input has no [program:x] section)\n");
        }
        for (TomlTable table : tables) {
            out.append('\n');
            table.write(out);
        }
        return out.toString();
    }

    /** supervisord's {@code process_or_group_name}: the name after the colon, without " ", ":" or "/". */
    static String processOrGroupName(IniSection section) throws ImportException {
        String name = section.suffix();
        for (String character : List.of(" ", ":", "/")) {
            if (name.contains(character)) {
                throw new ImportException(section.file() + ":" + section.line() + ": [" + section.name()
                        + "]: invalid name \"" + name + "\" because of character \"" + character + "\"");
            }
        }
        if (name.isEmpty()) {
            throw new ImportException(section.file() + ":" + section.line() + ": [" + section.name()
                    + "]: the name after the colon is empty");
        }
        return name;
    }
}
