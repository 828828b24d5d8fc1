package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.supervisor.Log;
import dev.baton.supervisor.daemon.Daemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "run", description = "Run the daemon in the foreground: start the workers and keep them running."
        + " TERM/INT stop it gracefully, HUP re-reads the configuration, USR1 reopens the log files.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
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
}
