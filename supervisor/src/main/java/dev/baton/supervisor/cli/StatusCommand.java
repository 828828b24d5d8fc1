package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

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
        Map<?, ?> body = (Map<?, ?>) Requests.call(options.client(), "GET", "/v1/status");
        List<Map<?, ?>> workers = new ArrayList<>();
        for (Object w : (List<?>) body.get("workers")) {
            Map<?, ?> worker = (Map<?, ?>) w;
            if (selected(worker)) {
                workers.add(worker);
            }
        }
        if (!targets.isEmpty() && workers.isEmpty()) {
            throw new CliException(ExitCode.USAGE, "no such program or worker: " + String.join(" ", targets));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(targets.isEmpty() ? body : Map.of("daemon", body.get("daemon"), "workers", workers)));
        } else {
            print(workers, out);
            printPrograms(body.get("programs"), out);
        }
        out.flush();
        boolean allRunning = workers.stream().allMatch(w -> "RUNNING".equals(w.get("state")));
        return allRunning ? ExitCode.OK : ExitCode.NOT_RUNNING;
    }

    private boolean selected(Map<?, ?> worker) {
        if (targets.isEmpty() || targets.contains("all")) {
            return true;
        }
        return targets.stream().anyMatch(t -> t.equals(worker.get("name")) || t.equals(worker.get("program"))
                || t.equals(worker.get("program") + ":*"));
    }

    static void print(List<Map<?, ?>> workers, PrintWriter out) {
        if (workers.isEmpty()) {
            out.println("no programs configured");
            return;
        }
        int width = 4;
        for (Map<?, ?> w : workers) {
            width = Math.max(width, String.valueOf(w.get("name")).length());
        }
        row(out, width, "NAME", "STATE", "PID", "GEN", "UPTIME", "INFO");
        for (Map<?, ?> w : workers) {
            long pid = ((Number) w.get("pid")).longValue();
            boolean running = pid > 0;
            row(out, width, w.get("name"), w.get("state"), running ? pid : "-", w.get("generation"),
                    running ? duration(((Number) w.get("uptime_ms")).longValue()) : "-", info(w));
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
    private static void printPrograms(Object programs, PrintWriter out) {
        if (!(programs instanceof List<?> list) || list.isEmpty()) {
            return;
        }
        out.println();
        for (Object p : list) {
            Map<?, ?> program = (Map<?, ?>) p;
            List<String> listen = new ArrayList<>();
            for (Object address : (List<?>) program.get("listen")) {
                listen.add(String.valueOf(address));
            }
            out.println(program.get("name") + ": listening on " + String.join(", ", listen) + ", "
                    + program.get("queued") + " queued");
        }
    }

    private static String info(Map<?, ?> w) {
        String reason = String.valueOf(w.get("reason"));
        long restarts = ((Number) w.get("restarts")).longValue();
        String extra = restarts > 0 ? "restarts " + restarts : "";
        if (!"RUNNING".equals(w.get("state")) && !reason.isEmpty()) {
            String since = "for " + duration(((Number) w.get("since_ms")).longValue());
            return reason + " (" + since + (extra.isEmpty() ? "" : ", " + extra) + ")";
        }
        Object port = w.get("port");
        String where = port instanceof Number n && n.longValue() > 0 ? "port " + n
                : w.get("socket") != null ? "socket " + w.get("socket") : "";
        String backend = w.containsKey("backend")
                ? String.valueOf(w.get("backend")).toLowerCase(java.util.Locale.ROOT) + ", " + w.get("inflight")
                + " in flight" : "";
        String held = Boolean.TRUE.equals(w.get("held")) ? "new generation, held until the switch" : "";
        return String.join(", ", List.of(held, where, backend, extra).stream().filter(s -> !s.isEmpty()).toList());
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
