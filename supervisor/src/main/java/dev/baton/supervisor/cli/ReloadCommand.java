package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ErrorReply;
import dev.baton.supervisor.control.ReloadLine;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.ReloadSummary;
import dev.baton.supervisor.control.ReloadSummary.ProgramReload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "reload", description = {
        "Re-read the configuration file, then move each program to a new generation of workers without dropping a"
                + " request: new workers start, and once they answer their health check, traffic moves to them and"
                + " the old ones drain and stop. A new worker that fails rolls its program back: the old workers"
                + " keep serving, and the failure is shown with the worker's last output lines.",
        "Programs added to the file start, removed ones stop; a program whose numprocs alone changed scales.",
        "To reload only what the file changed, use baton update (baton reread shows it)."})
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

    @Option(names = "--canary", description = "Reload as reload_strategy = \"canary\": one new worker gets"
            + " canary_weight percent of the requests for canary_duration and is compared with the old workers;"
            + " worse (errors, p99 latency) or exited, it is rolled back (exit 1) with the comparison, else the"
            + " reload goes on as a surge. Programs need listen.")
    boolean canary;

    @Parameters(arity = "0..*", paramLabel = "PROGRAM", description = "Programs or groups to reload (default: all);"
            + " a group (app, app:*) is its programs, app:web one of them. Not a worker: reload moves whole programs.")
    List<String> programs = new ArrayList<>();

    @Override
    public Integer call() {
        String flags = (wait ? "&wait=1" : "") + (canary ? "&canary=1" : "");
        String target = Requests.query("/v1/reload" + (flags.isEmpty() ? "" : "?" + flags.substring(1)), "program",
                programs);
        return stream(options, target, json, spec.commandLine().getOut(), spec.commandLine().getErr(), null);
    }

    /**
     * Sends a reload ({@code /v1/reload}) or an update ({@code /v1/update}) and prints its steps and summary as
     * they come; {@code whenEmpty} is printed when neither step nor program came ({@code no changes}), unless null.
     * Exit 0, 1 when a program failed, 2 when refused (invalid file, unknown program), 5 when busy.
     */
    static int stream(ConfigOptions options, String target, boolean json, PrintWriter out, PrintWriter err,
                      String whenEmpty) {
        int[] failed = {0};
        boolean[] any = {false};
        Set<String> shown = new HashSet<>();
        int status = Requests.stream(options.client(), "POST", target, (code, line) -> {
            if (line.isBlank()) {
                return;
            }
            if (json) {
                out.println(line);
                out.flush();
            }
            ReloadLine parsed = code == 200 ? ReloadLine.read(line) : new ErrorReply(Requests.error(line));
            any[0] |= !(parsed instanceof ReloadSummary s) || !s.summary().isEmpty();
            failed[0] += json ? failures(parsed) : print(parsed, out, err, shown);
        });
        if (status != 200) { // the error line was printed as it came
            return status == 409 ? ExitCode.BUSY : status < 500 ? ExitCode.USAGE : ExitCode.FAILURE;
        }
        if (!any[0] && !json && whenEmpty != null) {
            out.println(whenEmpty);
            out.flush();
        }
        return failed[0] > 0 ? ExitCode.FAILURE : ExitCode.OK;
    }

    /** Prints one step, or the summary, or an error; answers how many programs failed. */
    private static int print(ReloadLine line, PrintWriter out, PrintWriter err, Set<String> shown) {
        if (line instanceof ErrorReply e) {
            err.println("baton: " + e.error());
            err.flush();
            return 1;
        }
        if (line instanceof ReloadStep step) {
            shown.add(step.message());
            out.println(step.message());
            out.flush();
            return 0;
        }
        int failed = 0;
        for (ProgramReload r : ((ReloadSummary) line).summary()) {
            String took = r.durationMs() > 0 ? String.format(Locale.ROOT, " in %.1fs", r.durationMs() / 1000.0) : "";
            if (!r.ok() || !shown.contains(r.message())) { // scaled, added...: already shown as a step
                (r.ok() ? out : err).println((r.ok() ? "" : "baton: ") + r.message() + took);
            }
            r.canary().ifPresent(c -> {
                PrintWriter to = r.ok() ? out : err;
                to.println(r.program() + ": canary " + c.worker() + " [gen " + c.generation() + "] over "
                        + String.format(Locale.ROOT, "%.1fs", c.windowMillis() / 1000.0) + ": " + c.verdict());
                c.table().forEach(to::println);
            });
            if (!r.ok()) {
                failed++;
                if (r.lastLines() != null && !r.lastLines().isEmpty()) {
                    err.println(r.failedWorker() + " last output:");
                    r.lastLines().forEach(l -> err.println("  | " + l));
                }
            }
        }
        out.flush();
        err.flush();
        return failed;
    }

    /** How many programs failed, by this line: each failed one of a summary; an error counts one. */
    private static int failures(ReloadLine line) {
        if (line instanceof ReloadSummary summary) {
            return (int) summary.summary().stream().filter(r -> !r.ok()).count();
        }
        return line instanceof ErrorReply ? 1 : 0;
    }
}
