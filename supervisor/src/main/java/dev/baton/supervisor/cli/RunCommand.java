package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ConfigException;
import dev.baton.conf.ConfigLoader;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.daemon.Daemon;
import dev.baton.supervisor.daemon.Handoff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the daemon in the foreground: start the workers and keep them running."
        + " TERM/INT stop it gracefully, HUP re-reads the configuration, USR1 reopens the log files, USR2 replaces"
        + " the daemon without dropping a request (like baton upgrade).")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    /** Set by the daemon that starts this one in {@code baton upgrade}: its handoff socket. */
    @Option(names = "--take-over", hidden = true, paramLabel = "SOCKET")
    Path takeOver;

    /** The running daemon has this long to hand over its sockets once this one connects. */
    private static final long TAKE_TIMEOUT_MILLIS = 60_000;

    @Override
    public Integer call() {
        if (takeOver != null) {
            return takeOver();
        }
        BatonConfig config = options.load(spec.commandLine().getErr());
        if (options.socket != null) {
            throw new CliException(ExitCode.USAGE, "run takes its control socket from the configuration"
                    + " ([baton] socket), not from --socket");
        }
        try {
            Daemon.run(config);
        } catch (Daemon.StartupException e) {
            Log.flush(); // what the daemon logged comes before the one-line reason
            throw new CliException(ExitCode.FAILURE, e.getMessage());
        }
        return ExitCode.OK;
    }

    /**
     * The daemon {@code baton upgrade} starts: it connects to the running daemon first, so that every failure
     * from then on (an invalid file included) reaches the operator through the running daemon.
     */
    private Integer takeOver() {
        Handoff.Taken handoff;
        try {
            handoff = Handoff.take(takeOver, TAKE_TIMEOUT_MILLIS);
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, e.getMessage());
        }
        BatonConfig config;
        try {
            config = ConfigLoader.load(options.configFile(), System.getenv());
        } catch (ConfigException e) {
            String reason = options.configFile() + ": " + e.errors().size()
                    + (e.errors().size() == 1 ? " error" : " errors");
            reportFailure(handoff, reason, e.errors().stream().map(Object::toString).toList());
            throw new CliException(ExitCode.USAGE, reason);
        } catch (CliException e) {
            reportFailure(handoff, e.getMessage(), List.of());
            throw e;
        }
        try {
            Daemon.takeOver(config, handoff);
        } catch (Daemon.StartupException e) {
            Log.flush();
            throw new CliException(ExitCode.FAILURE, e.getMessage());
        }
        return ExitCode.OK;
    }

    private static void reportFailure(Handoff.Taken handoff, String reason, List<String> lines) {
        try {
            handoff.report(Handoff.Report.failed(ProcessHandle.current().pid(), reason, "", lines));
        } catch (IOException ignored) {
            // the running daemon is gone: nobody to tell
        }
        handoff.close();
    }
}
