package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.LogEntry;
import dev.baton.supervisor.log.LogTime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "logs", description = "Show the workers' output lines in arrival order, each prefixed with its"
        + " worker's name (web:2 |, or its process_name); lines from Baton itself are prefixed 'baton'. Coloured on"
        + " a terminal.")
final class LogsCommand implements Callable<Integer> {

    private static final String[] COLOURS = {"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"};
    /** Lines of history when neither {@code -n} nor {@code --since} is given. */
    private static final int DEFAULT_LINES = 50;

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted (Ctrl-C).")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", converter = WholeNumber.FromZero.class,
            description = "Lines of history to show first, from 0 (default: 50, or every line since --since; the"
                    + " daemon keeps 10000).")
    Integer lines;

    @Option(names = "--since", paramLabel = "DURATION|TIME", converter = Since.class,
            description = "Only lines that arrived at or after this: a duration back from now (90s, 10m, 1h30m) or"
                    + " an ISO 8601 time (2026-12-07T15:04:05Z, 2026-12-07T15:04:05.123+01:00, or local time"
                    + " 2026-12-07T15:04:05).")
    Long since;

    @Option(names = {"-t", "--timestamps"},
            description = "Start each line with its arrival time, UTC with milliseconds: 2026-12-07T15:04:05.123Z.")
    boolean timestamps;

    @Option(names = "--json", description = "Print the daemon's objects as it sends them, one JSON object per line"
            + " ({seq, time, source, stream, text}, and name when a process_name makes it differ from source).")
    boolean json;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (on a terminal, unless NO_COLOR is set), always or never.")
    String color;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "NAME or NAME:N (default: all, and Baton).")
    List<String> targets = new ArrayList<>();

    private final Map<String, String> colours = new HashMap<>();
    private int width = 5;

    @Override
    public Integer call() {
        boolean colour = switch (color) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.getenv("NO_COLOR") == null
                    && !"dumb".equals(System.getenv("TERM"));
            default -> throw new CliException(ExitCode.USAGE, "--color must be auto, always or never");
        };
        int n = lines != null ? lines : since != null ? Integer.MAX_VALUE : DEFAULT_LINES;
        String target = Requests.query("/v1/logs?n=" + n + (follow ? "&follow=1" : "")
                + (since != null ? "&since=" + since : ""), Requests.targets(targets));
        PrintWriter out = spec.commandLine().getOut();
        List<String> errors = new ArrayList<>();
        int status = Requests.stream(options.client(), "GET", target, (code, line) -> {
            if (code != 200) {
                errors.add(line);
            } else if (json && !line.isBlank()) {
                out.println(line); // as the daemon sent it
                out.flush();
            } else if (!line.isBlank()) {
                print(Json.read(line, LogEntry.class), out, colour);
            }
        });
        if (status != 200) {
            String message = errors.isEmpty() ? "HTTP " + status : Requests.error(errors.get(0));
            throw new CliException(status < 500 ? ExitCode.USAGE : ExitCode.FAILURE, message);
        }
        return ExitCode.OK;
    }

    /**
     * Prints one log line, {@code web:2 | text} (the worker's name: its {@code process_name}), its prefix coloured
     * per source; with {@code -t} after its time (a notice from the daemon has none).
     */
    private void print(LogEntry line, PrintWriter out, boolean colour) {
        String name = line.shown();
        width = Math.max(width, name.length());
        String prefix = String.format("%-" + width + "s |", name);
        if (colour) {
            String code = colours.computeIfAbsent(line.source(), s -> COLOURS[colours.size() % COLOURS.length]);
            prefix = "\u001b[" + code + "m" + prefix + "\u001b[0m";
        }
        if (timestamps && line.time().isPresent()) {
            prefix = LogTime.format(line.time().get()) + " " + prefix;
        }
        out.println(prefix + " " + line.text());
        out.flush();
    }
}
