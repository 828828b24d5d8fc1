package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.StatusReply;
import dev.baton.supervisor.control.StatusReply.ProgramInfo;
import dev.baton.supervisor.control.StatusReply.WorkerInfo;
import dev.baton.supervisor.control.TargetSelection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "status", description = "One line per worker: state, pid, generation, uptime or why it is down."
        + " Exit 3 when any shown worker is not RUNNING.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the daemon's JSON answer.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "NAME or NAME:N (default: all).")
    List<String> targets = new ArrayList<>();

    @Override
    public Integer call() {
        TargetSelection selected = Requests.resolve(options.client(), targets);
        StatusReply status = Requests.call(options.client(), "GET", "/v1/status", StatusReply.class);
        List<WorkerInfo> workers = status.workers().stream()
                .filter(w -> selected.isEmpty() || selected.matches(w.program(), w.index(), w.name()))
                .toList();
        if (!selected.isEmpty() && workers.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "no such program or worker: " + String.join(" ", targets));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) { // targets select workers; daemon and programs are shown whole, as in the table
            out.println(Json.write(new StatusReply(status.daemon(), status.programs(), workers)));
        } else {
            print(workers, out);
            printPrograms(status.programs(), out);
        }
        out.flush();
        return workers.stream().allMatch(WorkerInfo::running) ? ExitCode.OK : ExitCode.NOT_RUNNING;
    }

    static void print(List<WorkerInfo> workers, PrintWriter out) {
        if (workers.isEmpty()) {
            out.println("no programs configured");
            return;
        }
        int width = 4;
        for (WorkerInfo w : workers) {
            width = Math.max(width, w.name().length());
        }
        row(out, width, "NAME", "STATE", "PID", "GEN", "UPTIME", "INFO");
        for (WorkerInfo w : workers) {
            boolean running = w.pid() > 0;
            row(out, width, w.name(), w.state(), running ? w.pid() : "-", w.generation(),
                    running ? duration(w.uptimeMs()) : "-", info(w));
        }
    }

    /** One table row (padded by hand: java.util.Formatter costs a CLI command a few milliseconds to start). */
    private static void row(PrintWriter out, int width, Object name, Object state, Object pid, Object gen,
                            Object uptime, String info) {
        StringBuilder line = new StringBuilder(96);
        pad(line, name, -width).append("  ");
        pad(line, state, -8).append("  ");
        pad(line, pid, 7).append("  ");
        pad(line, gen, 3).append("  ");
        pad(line, uptime, 9).append("  ").append(info);
        out.println(line);
    }

    /** Appends the value padded with spaces to |width|: on the right when width is negative, else on the left. */
    private static StringBuilder pad(StringBuilder line, Object value, int width) {
        String text = String.valueOf(value);
        String spaces = " ".repeat(Math.max(0, Math.abs(width) - text.length()));
        return width < 0 ? line.append(text).append(spaces) : line.append(spaces).append(text);
    }

    /** One line per proxied program: where it listens and how many requests wait in Baton's queue. */
    private static void printPrograms(List<ProgramInfo> programs, PrintWriter out) {
        if (programs.isEmpty()) {
            return;
        }
        out.println();
        for (ProgramInfo p : programs) {
            out.println(p.name() + ": listening on " + String.join(", ", p.listen()) + ", " + p.queued() + " queued");
        }
    }

    private static String info(WorkerInfo w) {
        String extra = w.restarts() > 0 ? "restarts " + w.restarts() : "";
        if (!w.running() && !w.reason().isEmpty()) {
            String since = "for " + duration(w.sinceMs());
            return w.reason() + " (" + since + (extra.isEmpty() ? "" : ", " + extra) + ")";
        }
        String where = w.port() > 0 ? "port " + w.port() : w.socket() != null ? "socket " + w.socket() : "";
        String backend = w.backend()
                .map(b -> b.toLowerCase(Locale.ROOT) + ", " + w.inflight().orElse(0) + " in flight").orElse("");
        String held = !w.held() ? "" : w.recycling().map(r -> "replacing it: " + r.last() + ", held until ready")
                .orElse("new generation, held until the switch");
        String recycled = w.held() ? "" : w.recycling().map(r -> "recycled " + r.count() + " (last: " + r.last() + ")")
                .orElse("");
        return String.join(", ", Stream.of(held, where, backend, extra, recycled).filter(s -> !s.isEmpty()).toList());
    }

    static String duration(long millis) {
        long s = millis / 1000;
        if (s >= 86400) {
            return s / 86400 + "d" + twoDigits(s % 86400 / 3600) + "h" + twoDigits(s % 3600 / 60) + "m";
        }
        return s / 3600 + ":" + twoDigits(s % 3600 / 60) + ":" + twoDigits(s % 60);
    }

    private static String twoDigits(long n) {
        return n < 10 ? "0" + n : Long.toString(n);
    }
}
