package dev.baton.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code [Service]} settings of a systemd unit file, read the way the tests need them: one value per key,
 * commands split into words, time spans as durations. A setting written in a form this reader does not
 * understand (quotes, specifiers, an {@code ExecStart=} prefix, a key given twice) fails the test instead of being
 * misread.
 */
final class SystemdUnit {

    private static final Pattern SPAN = Pattern.compile("(\\d+)\\s*(ms|sec|s|min|m|hr|h)?");

    private final Path file;
    private final Map<String, String> service;

    private SystemdUnit(Path file, Map<String, String> service) {
        this.file = file;
        this.service = service;
    }

    static SystemdUnit read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> service = new LinkedHashMap<>();
        String section = "";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line;
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0 || line.endsWith("\\")) {
                fail(file + ": cannot read line: " + raw);
            }
            if (section.equals("[Service]")
                    && service.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip()) != null) {
                fail(file + ": " + line.substring(0, eq) + " is set twice; this reader takes one value per key");
            }
        }
        return new SystemdUnit(file, service);
    }

    /** The value of {@code [Service] KEY=}; fails when the unit does not set it. */
    String get(String key) {
        String value = service.get(key);
        if (value == null) {
            fail(file + ": [Service] has no " + key + "=");
        }
        return value;
    }

    /** {@code ExecStart=} and the like, split into words; only plain words, which systemd takes as they are. */
    List<String> command(String key) {
        String value = get(key);
        if (!value.matches("/[^\\s'\"%$\\\\]*(\\s+[^\\s'\"%$\\\\]+)*")) {
            fail(file + ": " + key + "=" + value + " is not a plain command line (absolute path, then words"
                    + " without quotes, specifiers or variables)");
        }
        return Arrays.asList(value.split("\\s+"));
    }

    /** A time span setting ({@code 90s}, {@code 5min}, {@code 1min 30s}, or seconds alone) as a duration. */
    Duration duration(String key) {
        String value = get(key);
        Matcher m = SPAN.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && value.substring(end, m.start()).isBlank()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h", "hr" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end == 0 || !value.substring(end).isBlank()) {
            fail(file + ": cannot read " + key + "=" + value + " as a time span");
        }
        return total;
    }
}
