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
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "reload", description = {
        "Re-read the configuration file, then move each program to a new generation of workers without dropping a"
                + " request: new workers start, and once they answer their health check, traffic moves to them and"
                + " the old ones drain and stop. A new worker that fails rolls its program back: the old workers"
                + " keep serving, and the failure is shown with the worker's last output lines.",
        "Programs added to the file start, removed ones stop; a program whose numprocs alone changed scales."})
final class ReloadCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--wait", description = "If a reload of these programs is running, wait for it to end, then"
            + " reload (default: refuse, exit code 5).")
    boolean wait;

    @Option(names = "--json", description = "Print each step and the summary as JSON objects, one per line.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "PROGRAM", description = "Programs to reload (default: all).")
    List<String> programs = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String target = Requests.query("/v1/reload" + (wait ? "?wait=1" : ""), "program", programs);
        List<String> body = new ArrayList<>();
        int[] failed = {0};
        Set<Object> shown = new HashSet<>();
        ControlClient client = options.client();
        int status;
        try {
            status = client.stream("POST", target, line -> {
                if (line.isBlank()) {
                    return;
                }
                body.add(line);
                if (json) {
                    out.println(line);
                    out.flush();
                } else {
                    failed[0] += print(line, out, err, shown);
                }
            });
        } catch (ControlClient.UnreachableException e) {
            throw new CliException(ExitCode.UNREACHABLE, e.getMessage() + " (start it with: baton run)");
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "control socket " + client.socket() + ": " + e.getMessage());
        }
        if (status != 200) { // the error line was printed as it came
            return status == 409 ? ExitCode.BUSY : status < 500 ? ExitCode.USAGE : ExitCode.FAILURE;
        }
        if (json) {
            failed[0] += body.stream().mapToInt(ReloadCommand::failures).sum();
        }
        return failed[0] > 0 ? ExitCode.FAILURE : ExitCode.OK;
    }

    /** Prints one step, or the summary; answers how many programs failed. */
    private static int print(String line, PrintWriter out, PrintWriter err, Set<Object> shown) {
        Object value = Json.parse(line);
        if (!(value instanceof Map<?, ?> m)) {
            return 0;
        }
        if (m.get("error") != null) {
            err.println("baton: " + m.get("error"));
            err.flush();
            return 1;
        }
        if (!(m.get("summary") instanceof List<?> summary)) {
            shown.add(m.get("message"));
            out.println(m.get("message"));
            out.flush();
            return 0;
        }
        int failed = 0;
        for (Object item : summary) {
            Map<?, ?> r = (Map<?, ?>) item;
            boolean ok = Boolean.TRUE.equals(r.get("ok"));
            String took = r.get("duration_ms") instanceof Number n && n.longValue() > 0
                    ? String.format(Locale.ROOT, " in %.1fs", n.longValue() / 1000.0) : "";
            if (!ok || !shown.contains(r.get("message"))) { // scaled, added...: already shown as a step
                (ok ? out : err).println((ok ? "" : "baton: ") + r.get("message") + took);
            }
            if (!ok) {
                failed++;
                if (r.get("last_lines") instanceof List<?> lines && !lines.isEmpty()) {
                    err.println(r.get("failed_worker") + " last output:");
                    lines.forEach(l -> err.println("  | " + l));
                }
            }
        }
        out.flush();
        err.flush();
        return failed;
    }

    private static int failures(String line) {
        Object value = Json.parse(line);
        if (value instanceof Map<?, ?> m && m.get("summary") instanceof List<?> summary) {
            return (int) summary.stream().filter(r -> !Boolean.TRUE.equals(((Map<?, ?>) r).get("ok"))).count();
        }
        return value instanceof Map<?, ?> m && m.get("error") != null ? 1 : 0;
    }
}
