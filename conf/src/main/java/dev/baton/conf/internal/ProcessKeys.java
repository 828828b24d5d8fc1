package dev.baton.conf.internal;

import dev.baton.conf.LogDestination;
import dev.baton.conf.Placeholders;
import dev.baton.conf.WorkerNaming;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Reads the keys of {@code [program.NAME]} about each worker process rather than the program: its number and name
 * ({@code numprocs_start}, {@code process_name}), its {@code umask} and where its output goes
 * ({@code stdout_logfile}, {@code stderr_logfile}).
 */
final class ProcessKeys {

    private static final Pattern OCTAL = Pattern.compile("[0-7]{1,4}");
    private static final int MAX_UMASK = 0777;
    /** What a worker's name may be made of, placeholders aside: no blanks, no "/" (names go into file names). */
    private static final Pattern NAME_TEXT = Pattern.compile("([A-Za-z0-9_.:-]|\\{[a-z_]+(:(0[0-9]*)?d?)?})+");

    private ProcessKeys() {
    }

    /** {@code numprocs_start} and {@code process_name}; {@code numprocs} says whether the name needs {@code {worker}}. */
    static WorkerNaming naming(Section program, int numprocs) {
        int start = program.integer("numprocs_start", 0, 0);
        String name = WorkerNaming.DEFAULT_PROCESS_NAME;
        Optional<String> text = program.nonEmptyString("process_name");
        if (text.isPresent()) {
            Optional<String> problem = templateProblem(text.get(), List.of("program", "worker"));
            if (problem.isPresent()) {
                program.error("process_name", problem.get());
            } else if (text.get().contains("%(")) {
                program.error("process_name", "supervisord expansions are not Baton's: write {program} for"
                        + " %(program_name)s and {worker:02} for %(process_num)02d (baton import converts a whole file)");
            } else if (!NAME_TEXT.matcher(text.get()).matches()) {
                program.error("process_name", "may use letters, digits, \"_\", \"-\", \".\", \":\" and the"
                        + " placeholders, found \"" + text.get() + "\" (a name is a target and part of log file names)");
            } else if (numprocs > 1 && !Placeholders.uses(text.get(), "worker")) {
                program.error("process_name", "process_name must contain {worker} when numprocs > 1, or the"
                        + " workers would share one name");
            } else {
                name = text.get();
            }
        }
        return new WorkerNaming(start, name);
    }

    /** A string of 1 to 4 octal digits ({@code "022"}) or an integer up to 0o777 ({@code 0o022}). */
    static OptionalInt umask(Section program) {
        Object value = program.get("umask");
        if (value == null) {
            return OptionalInt.empty();
        }
        long mask;
        if (value instanceof String text) {
            if (!OCTAL.matcher(text).matches()) {
                program.error("umask", "expected octal digits such as \"022\", found \"" + text + "\"");
                return OptionalInt.empty();
            }
            mask = Long.parseLong(text, 8);
        } else if (value instanceof Long number) {
            mask = number;
        } else {
            program.typeError("umask", "a string of octal digits such as \"022\" or an integer such as 0o022");
            return OptionalInt.empty();
        }
        if (mask < 0 || mask > MAX_UMASK) {
            program.error("umask", "must be between 0 and 0o777 (\"777\"), found "
                    + (mask < 0 ? Long.toString(mask) : "0o" + Long.toOctalString(mask)));
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) mask);
    }

    /**
     * {@code stdout_logfile} or {@code stderr_logfile}: {@code "AUTO"}, {@code "NONE"} (any case) or a path template
     * resolved against {@code base}, its placeholders kept.
     */
    static LogDestination logfile(Section program, String key, Path base) {
        Optional<String> text = program.nonEmptyString(key);
        if (text.isEmpty()) {
            return LogDestination.AUTO;
        }
        String upper = text.get().toUpperCase(Locale.ROOT);
        if (upper.equals("AUTO")) {
            return LogDestination.AUTO;
        }
        if (upper.equals("NONE")) {
            return LogDestination.NONE;
        }
        Optional<String> problem = templateProblem(text.get(), List.of("program", "worker", "process_name"));
        if (problem.isPresent()) {
            program.error(key, problem.get());
            return LogDestination.AUTO;
        }
        try {
            return LogDestination.file(base.resolve(text.get()).normalize().toString());
        } catch (InvalidPathException e) {
            program.error(key, "invalid path: " + e.getReason());
            return LogDestination.AUTO;
        }
    }

    /** A bad format spec, or a placeholder other than {@code allowed}. */
    private static Optional<String> templateProblem(String template, List<String> allowed) {
        Optional<String> problem = Placeholders.problem(template);
        if (problem.isPresent()) {
            return problem;
        }
        for (String name : Placeholders.NAMES) {
            if (!allowed.contains(name) && Placeholders.uses(template, name)) {
                return Optional.of("{" + name + "} cannot be used here, only " + listed(allowed));
            }
        }
        return Optional.empty();
    }

    private static String listed(List<String> names) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                s.append(i == names.size() - 1 ? " and " : ", ");
            }
            s.append('{').append(names.get(i)).append('}');
        }
        return s.toString();
    }
}
