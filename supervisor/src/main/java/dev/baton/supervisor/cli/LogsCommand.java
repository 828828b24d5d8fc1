package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "logs", description = "Show the workers' output lines in arrival order, each prefixed with its"
        + " worker (web:2 |); lines from Baton itself are prefixed 'baton'. Coloured on a terminal.")
final class LogsCommand implements Callable<Integer> {

    private static final String[] COLOURS = {"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"};

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted (Ctrl-C).")
    boolean follow;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "50",
            description = "Lines of history to show first (default: ${DEFAULT-VALUE}; the daemon keeps 10000).")
    int lines;

    @Option(names = "--color", paramLabel = "WHEN", defaultValue = "auto",
            description = "auto (on a terminal, unless NO_COLOR is set), always or never.")
    String color;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "NAME or NAME:N (default: all, and Baton).")
    List<String> targets = new ArrayList<>();

    private final Map<String, String> colours = new HashMap<>();
    private int width = 5;

    @Override
    public Integer call() {
        if (lines < 0) {
            throw new CliException(ExitCode.USAGE, "--lines must not be negative");
        }
        boolean colour = switch (color) {
            case "always" -> true;
            case "never" -> false;
            case "auto" -> System.console() != null && System.getenv("NO_COLOR") == null
                    && !"dumb".equals(System.getenv("TERM"));
            default -> throw new CliException(ExitCode.USAGE, "--color must be auto, always or never");
        };
        ControlClient client = options.client();
        String target = Requests.query("/v1/logs?n=" + lines + (follow ? "&follow=1" : ""), "target", targets);
        PrintWriter out = spec.commandLine().getOut();
        List<String> errors = new ArrayList<>();
        int status;
        try {
            status = client.stream(target, line -> {
                if (!print(line, out, colour)) {
                    errors.add(line);
                }
            });
        } catch (ControlClient.UnreachableException e) {
            throw new CliException(ExitCode.UNREACHABLE, e.getMessage() + " (start it with: baton run)");
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "control socket " + client.socket() + ": " + e.getMessage());
        }
        if (status != 200) {
            Object error = errors.isEmpty() ? "HTTP " + status : Json.parse(errors.get(0));
            String message = error instanceof Map<?, ?> m ? String.valueOf(m.get("error")) : String.valueOf(error);
            throw new CliException(status < 500 ? ExitCode.USAGE : ExitCode.FAILURE, message);
        }
        return ExitCode.OK;
    }

    /** Prints one NDJSON log line; false when it is not a log line (an error body). */
    private boolean print(String json, PrintWriter out, boolean colour) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!(parsed instanceof Map<?, ?> line) || !line.containsKey("source")) {
            return false;
        }
        String source = String.valueOf(line.get("source"));
        width = Math.max(width, source.length());
        String prefix = String.format("%-" + width + "s |", source);
        if (colour) {
            String code = colours.computeIfAbsent(source, s -> COLOURS[colours.size() % COLOURS.length]);
            prefix = "\u001b[" + code + "m" + prefix + "\u001b[0m";
        }
        out.println(prefix + " " + line.get("text"));
        out.flush();
        return true;
    }
}
