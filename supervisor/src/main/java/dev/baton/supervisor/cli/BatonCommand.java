package dev.baton.supervisor.cli;

import dev.baton.supervisor.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code baton}: the command tree, with output streams injected so tests can capture them. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = BatonCommand.Version.class,
        description = "Process supervisor with a built-in reverse proxy and zero-downtime reload.",
        subcommands = {RunCommand.class, StatusCommand.class, StartCommand.class, StopCommand.class,
                RestartCommand.class, ReloadCommand.class, SignalCommand.class, LogsCommand.class, ShutdownCommand.class,
                CheckCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a worker did not start, a reload was rolled back...)",
                "2:usage error, unknown target or invalid configuration",
                "3:status: a worker is not RUNNING", "4:daemon not reachable on its control socket",
                "5:reload: a reload of that program is already running"})
public final class BatonCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Builds the command line: one-line errors, named exit codes, no stack traces for user mistakes. */
    public static CommandLine create(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new BatonCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.code() : ExitCode.FAILURE);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof CliException c) {
                commandLine.getErr().println("baton: " + c.getMessage());
            } else {
                commandLine.getErr().println("baton: internal error: " + e);
                if (Boolean.getBoolean("baton.debug")) {
                    e.printStackTrace(commandLine.getErr());
                }
            }
            commandLine.getErr().flush();
            return e instanceof CliException c ? c.code() : ExitCode.FAILURE;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("baton: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help'.");
            c.getErr().flush();
            return ExitCode.USAGE;
        });
        return cli;
    }

    /** {@code baton --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"baton " + Main.version()};
        }
    }
}
