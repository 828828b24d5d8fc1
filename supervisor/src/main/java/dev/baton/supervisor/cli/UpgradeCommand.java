package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.ErrorReply;
import dev.baton.supervisor.control.ReloadLine;
import dev.baton.supervisor.control.ReloadStep;
import dev.baton.supervisor.control.UpgradeSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "upgrade", description = {
        "Replace the running daemon with a new one without dropping a request: after a package upgrade (new jars,"
                + " new JVM, new launcher flags) or a change to [baton]. The new daemon starts from the files"
                + " installed now and the configuration file as it is now, takes over the listening sockets (they"
                + " never stop accepting), and starts every program's workers as a reload does. Once all are ready"
                + " it accepts and owns the control socket; the old daemon stops accepting, drains and exits.",
        "A new daemon that fails (invalid file, a port it cannot bind, a worker that fails) leaves the old one"
                + " serving, untouched: exit code 1, with the reason and the worker's last output lines.",
        "Exits 0 once the old daemon is gone. SIGUSR2 to the daemon does the same."})
final class UpgradeCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--wait", description = "If an upgrade or a reload is running, wait for it to end, then upgrade"
            + " (default: refuse, exit code 5).")
    boolean wait;

    @Option(names = "--json", description = "Print each step and the summary as JSON objects, one per line.")
    boolean json;

    /** How often --wait asks again while the daemon is busy. */
    private static final long RETRY_MILLIS = 250;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean told = false;
        while (true) {
            UpgradeSummary[] summary = {null};
            String[] error = {null};
            int status = send(out, summary, error);
            if (status == 409 && wait) {
                if (!told) {
                    out.println(error[0] + " (waiting)");
                    out.flush();
                    told = true;
                }
                Thread.sleep(RETRY_MILLIS);
                continue;
            }
            if (status != 200) {
                throw new CliException(status == 409 ? ExitCode.BUSY : ExitCode.FAILURE, error[0]);
            }
            if (summary[0] == null) {
                throw new CliException(ExitCode.FAILURE, error[0] != null ? error[0]
                        : "the daemon closed the connection before the upgrade ended; see baton logs");
            }
            return finish(summary[0], out, err);
        }
    }

    /**
     * Sends the request; the summary or the error line go to {@code summary} and {@code error}. A daemon not found
     * on the socket the file names may be one started before {@code [baton] socket} was changed: the hint says so.
     */
    private int send(PrintWriter out, UpgradeSummary[] summary, String[] error) {
        ControlClient client = options.client();
        try {
            return Requests.stream(client, "POST", "/v1/upgrade", (code, line) -> {
                if (line.isBlank()) {
                    return;
                }
                if (code != 200) {
                    error[0] = Requests.error(line);
                    return;
                }
                if (json) {
                    out.println(line);
                    out.flush();
                }
                ReloadLine parsed = ReloadLine.read(line);
                if (parsed instanceof UpgradeSummary s) {
                    summary[0] = s;
                } else if (parsed instanceof ErrorReply e) {
                    error[0] = e.error();
                } else if (!json) {
                    out.println(((ReloadStep) parsed).message());
                    out.flush();
                }
            });
        } catch (CliException e) {
            if (e.code() == ExitCode.UNREACHABLE && options.socket == null) {
                throw new CliException(e.code(), e.getMessage() + "; if [baton] socket was changed since the daemon"
                        + " started, name the socket it uses now: baton upgrade -s OLD_SOCKET");
            }
            throw e;
        }
    }

    /** Prints how it ended; after a switch, waits for the old daemon to be gone. */
    private int finish(UpgradeSummary s, PrintWriter out, PrintWriter err) throws InterruptedException {
        String took = String.format(Locale.ROOT, " (%.1fs)", s.durationMs() / 1000.0);
        if (!s.ok()) {
            if (!json) {
                err.println("baton: " + s.message() + took);
                if (s.lastLines() != null && !s.lastLines().isEmpty()) {
                    err.println(s.failedWorker().isEmpty() ? "errors:" : s.failedWorker() + " last output:");
                    s.lastLines().forEach(l -> err.println("  | " + l));
                }
                err.flush();
            }
            return ExitCode.FAILURE;
        }
        if (!json) {
            out.println(s.message() + took);
            out.flush();
        }
        long started = System.nanoTime();
        // not ProcessHandle.onExit: for a process that is not our child it polls with a back-off of seconds, and
        // counts a zombie (exited, not yet reaped by a parent that is slow to) as alive
        while (ShutdownCommand.running((int) s.oldPid())) {
            Thread.sleep(RETRY_MILLIS / 5);
        }
        if (!json) {
            out.printf(Locale.ROOT, "pid %d exited after %.1fs; upgrade complete%n", s.oldPid(),
                    (System.nanoTime() - started) / 1e9);
            out.flush();
        }
        return ExitCode.OK;
    }
}
