package dev.baton.conf.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * One TOML table being validated, with its key path ({@code program.web}). Typed reads report a wrong type or a
 * value out of range to {@link Problems}, located at the offending value, and then return the default.
 */
public final class Section {

    /** The longest duration any key accepts. */
    public static final Duration MAX_DURATION = Duration.ofHours(24);

    private static final TomlTable EMPTY = Toml.parse("");
    private static final String DURATION_EXPECTED = "a duration such as \"5s\" or \"250ms\"";

    private final TomlTable table;
    private final List<String> path;
    private final TomlPosition header;
    private final Problems problems;
    private final ValuePositions positions;

    /**
     * @param table  the table; null stands for an absent table (every key takes its default)
     * @param path   its key path from the document root
     * @param header where the table is defined (its {@code [header]} or its key)
     */
    public Section(TomlTable table, List<String> path, TomlPosition header, Problems problems,
                   ValuePositions positions) {
        this.table = table == null ? EMPTY : table;
        this.path = List.copyOf(path);
        this.header = header;
        this.problems = problems;
        this.positions = positions;
    }

    /** The sub-table {@code key}, or empty (after reporting a type error) when it is absent or not a table. */
    public Optional<Section> section(String key) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof TomlTable table)) {
            typeError(key, "a table");
            return Optional.empty();
        }
        return Optional.of(new Section(table, childPath(key), keyPosition(key), problems, positions));
    }

    /** Every key of this table, in document order. */
    public List<String> keys() {
        return new ArrayList<>(table.keySet());
    }

    public boolean has(String key) {
        return get(key) != null;
    }

    /** The raw value; keys are never split at dots ({@code "a.b"} is one key). */
    public Object get(String key) {
        return table.get(List.of(key));
    }

    /** The key path of this table, such as {@code program.web} ({@code program."web:2"} when quoting is needed). */
    public String keyPath() {
        return Toml.joinKeyPath(path);
    }

    public String keyPath(String key) {
        return Toml.joinKeyPath(childPath(key));
    }

    /** Where the table is defined, as {@code baton.toml:5} (the file as the user named it). */
    public String location() {
        return problems.file() + (header == null || header.line() < 1 ? "" : ":" + header.line());
    }

    /** Where this file's problems go ({@link Problems#in} for those of other files). */
    public Problems problems() {
        return problems;
    }

    /** Reports a problem with the value of {@code key}, located at that value. */
    public void error(String key, String message) {
        problems.add(positions.valueOf(keyPosition(key)), keyPath(key), message);
    }

    /** Reports a problem with the key itself, located at the key. */
    public void errorAtKey(String key, String message) {
        problems.add(keyPosition(key), keyPath(key), message);
    }

    /** Reports a problem with the whole table, located at its header. */
    public void errorAtHeader(String message) {
        problems.add(header, keyPath(), message);
    }

    /** Reports a problem with element {@code index} of the array {@code key}, located at that element. */
    public void errorAtElement(String key, TomlArray array, int index, String message) {
        problems.add(array.inputPositionOf(index), keyPath(key) + "[" + index + "]", message);
    }

    /** Reports {@code expected <expected>, found <actual type>} for {@code key}. */
    public void typeError(String key, String expected) {
        error(key, "expected " + expected + ", found " + typeName(get(key)));
    }

    /**
     * Reports every key not in {@code known}: with its note when {@code notes} has one (a supervisord key and
     * Baton's counterpart), else with the closest known key when there is one.
     */
    public void rejectUnknownKeys(List<String> known, Map<String, String> notes) {
        for (String key : keys()) {
            if (known.contains(key)) {
                continue;
            }
            String message = notes.containsKey(key)
                    ? notes.get(key)
                    : KeyHints.closest(key, known).map(k -> "unknown key, did you mean \"" + k + "\"?")
                            .orElse("unknown key");
            errorAtKey(key, message);
        }
    }

    public Optional<String> string(String key) {
        return typed(key, String.class, "a string");
    }

    /** A string that must not be empty or blank. */
    public Optional<String> nonEmptyString(String key) {
        Optional<String> value = string(key);
        if (value.isPresent() && value.get().isBlank()) {
            error(key, "must not be empty");
            return Optional.empty();
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        return typed(key, Boolean.class, "a boolean").orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min) {
        return integer(key, defaultValue, min, Integer.MAX_VALUE);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<Long> value = typed(key, Long.class, "an integer");
        if (value.isEmpty()) {
            return defaultValue;
        }
        return checkRange(key, value.get(), min, max) ? value.get().intValue() : defaultValue;
    }

    /** True when {@code value} is within [min, max]; otherwise reports it against {@code key}. */
    public boolean checkRange(String key, long value, long min, long max) {
        Optional<String> problem = rangeProblem(value, min, max);
        problem.ifPresent(message -> error(key, message));
        return problem.isEmpty();
    }

    /** {@code must be at least 1, found 0} or {@code must be at most 255, found 256}, if out of range. */
    public static Optional<String> rangeProblem(long value, long min, long max) {
        if (value < min) {
            return Optional.of("must be at least " + min + ", found " + value);
        }
        if (value > max) {
            return Optional.of("must be at most " + max + ", found " + value);
        }
        return Optional.empty();
    }

    /**
     * A byte count within [min, max]: an integer, or a string with a binary unit such as {@code "50MB"}
     * (see {@link ByteSize}).
     */
    public long size(String key, long defaultValue, long min, long max) {
        Object value = get(key);
        if (value == null) {
            return defaultValue;
        }
        long bytes;
        if (value instanceof Long number) {
            bytes = number;
        } else if (value instanceof String text) {
            OptionalLong parsed = ByteSize.parse(text);
            if (parsed.isEmpty()) {
                error(key, "invalid size \"" + text + "\", expected a number of bytes or a size such as "
                        + "\"512KB\", \"50MB\", \"1GB\"");
                return defaultValue;
            }
            bytes = parsed.getAsLong();
        } else {
            typeError(key, "an integer or a size string");
            return defaultValue;
        }
        return checkRange(key, bytes, min, max) ? bytes : defaultValue;
    }

    /**
     * A duration longer than 0 and at most {@link #MAX_DURATION}: a string with a unit such as {@code "250ms"} or
     * {@code "1.5s"} (see {@link Durations}), or a TOML integer or float of seconds.
     */
    public Duration duration(String key, Duration defaultValue) {
        return duration(key, defaultValue, false, MAX_DURATION);
    }

    /**
     * A duration as {@link #duration(String, Duration)} reads it, at most {@code max}; {@code 0} (or {@code "0"})
     * too when {@code offAllowed}, meaning the key's feature is off ({@link Duration#ZERO}).
     */
    public Duration duration(String key, Duration defaultValue, boolean offAllowed, Duration max) {
        Object value = get(key);
        if (offAllowed && (Long.valueOf(0).equals(value) || "0".equals(value) || Double.valueOf(0).equals(value))) {
            return Duration.ZERO;
        }
        if (value == null) {
            return defaultValue;
        }
        String found = literal(value);
        Optional<Duration> duration;
        if (value instanceof String text) {
            duration = Durations.parse(text);
        } else if (value instanceof Long seconds) {
            duration = Optional.of(Duration.ofSeconds(seconds));
        } else if (value instanceof Double seconds) {
            duration = Durations.ofSeconds(seconds);
        } else {
            typeError(key, DURATION_EXPECTED);
            return defaultValue;
        }
        if (duration.isEmpty()) {
            error(key, "expected " + DURATION_EXPECTED + ", found " + found);
        } else if (offAllowed && duration.get().isZero()) { // "0s", "0ms": off too
            return Duration.ZERO;
        } else if (duration.get().isNegative() || duration.get().isZero()) {
            error(key, "must be longer than 0" + (offAllowed ? " (or 0 to turn it off)" : "") + ", found " + found);
        } else if (duration.get().compareTo(max) > 0) {
            error(key, "must be at most " + text(max) + ", found " + found);
        } else {
            return duration.get();
        }
        return defaultValue;
    }

    /** {@code max} as the configuration writes it: whole hours, else whole minutes, else seconds. */
    private static String text(Duration max) {
        if (max.toMinutesPart() == 0 && max.toSecondsPart() == 0 && max.toHours() > 0) {
            return max.toHours() + "h";
        }
        return max.toSecondsPart() == 0 && max.toNanosPart() == 0 ? max.toMinutes() + "m" : max.toSeconds() + "s";
    }

    /** A number (TOML integer or float) within [min, max]. */
    public double number(String key, double defaultValue, double min, double max) {
        Object value = get(key);
        if (value == null) {
            return defaultValue;
        }
        double number;
        if (value instanceof Long l) {
            number = l;
        } else if (value instanceof Double d && Double.isFinite(d)) {
            number = d;
        } else {
            typeError(key, "a number");
            return defaultValue;
        }
        if (number < min || number > max) {
            error(key, "must be between " + plain(min) + " and " + plain(max) + ", found " + literal(value));
            return defaultValue;
        }
        return number;
    }

    /** A path, resolved against {@code base} when relative, and normalised. */
    public Optional<Path> path(String key, Path base) {
        Optional<String> value = nonEmptyString(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(base.resolve(value.get()).normalize());
        } catch (InvalidPathException e) {
            error(key, "invalid path: " + e.getReason());
            return Optional.empty();
        }
    }

    /** The TOML type of a value for messages: {@code a string}, {@code an integer}, {@code a table}... */
    public static String typeName(Object value) {
        if (value instanceof String) {
            return "a string";
        } else if (value instanceof Long) {
            return "an integer";
        } else if (value instanceof Double) {
            return "a float";
        } else if (value instanceof Boolean) {
            return "a boolean";
        } else if (value instanceof TomlArray) {
            return "an array";
        } else if (value instanceof TomlTable) {
            return "a table";
        } else if (value instanceof LocalDate) {
            return "a date";
        } else if (value instanceof LocalTime) {
            return "a time";
        } else if (value instanceof Temporal) {
            return "a date-time";
        }
        return "nothing";
    }

    /** A string or number as TOML writes it: {@code "5s"}, {@code -1}, {@code 0.5}, {@code nan}, {@code inf}. */
    /** {@code 2} for 2.0, {@code 2.5} for 2.5. */
    private static String plain(double number) {
        return number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString((long) number)
                : Double.toString(number);
    }

    private static String literal(Object value) {
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        if (value instanceof Double number && !Double.isFinite(number)) {
            return number.isNaN() ? "nan" : number > 0 ? "inf" : "-inf";
        }
        return String.valueOf(value);
    }

    private <T> Optional<T> typed(String key, Class<T> type, String expected) {
        Object value = get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!type.isInstance(value)) {
            typeError(key, expected);
            return Optional.empty();
        }
        return Optional.of(type.cast(value));
    }

    private TomlPosition keyPosition(String key) {
        TomlPosition position = table.inputPositionOf(List.of(key));
        return position == null ? header : position;
    }

    private List<String> childPath(String key) {
        List<String> child = new ArrayList<>(path);
        child.add(key);
        return child;
    }
}
