package dev.baton.supervisor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/** {@code baton}: the command tree, with output streams injected so tests can capture them. */
@Command(name = "baton", mixinStandardHelpOptions = true, versionProvider = BatonCommand.Version.class,
        description = "Process supervisor with a built-in reverse proxy and zero-downtime reload.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (a worker did not start, a reload was rolled back...)",
                "2:usage error, unknown target or invalid configuration",
                "3:status: a worker is not RUNNING", "4:daemon not reachable on its control socket",
                "5:reload, upgrade: a reload of that program, or an upgrade, is already running"})
public final class BatonCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /**
     * The subcommands in the order {@code baton --help} lists them. Each is built only when needed (see
     * {@link #command}): picocli reads every command's annotations by reflection, in classes too old for
     * class-data sharing, and doing it for all of them cost more than the rest of a {@code baton status}.
     */
    private static final List<String> COMMANDS = List.of("run", "status", "start", "stop", "restart", "reload",
            "reread", "update", "avail", "upgrade", "signal", "pid", "logs", "shutdown", "check", "import", "version",
            "help");

    /** supervisorctl's names for our commands: {@code baton tail -f web} is {@code baton logs -f web}. */
    private static final List<List<String>> ALIASES = List.of(List.of("tail", "logs"));

    /** A new subcommand object; a switch rather than a map of constructor references, which load every class. */
    private static Object command(String name) {
        switch (name) {
            case "run": return new RunCommand();
            case "status": return new StatusCommand();
            case "start": return new StartCommand();
            case "stop": return new StopCommand();
            case "restart": return new RestartCommand();
            case "reload": return new ReloadCommand();
            case "reread": return new RereadCommand();
            case "update": return new UpdateCommand();
            case "avail": return new AvailCommand();
            case "upgrade": return new UpgradeCommand();
            case "signal": return new SignalCommand();
            case "pid": return new PidCommand();
            case "logs": return new LogsCommand();
            case "shutdown": return new ShutdownCommand();
            case "check": return new CheckCommand();
            case "import": return new ImportCommand();
            case "version": return new VersionCommand();
            case "help": return new CommandLine.HelpCommand();
            default: throw new IllegalArgumentException("no such command: " + name);
        }
    }

    /** The other names of command {@code name}. */
    private static String[] aliases(String name) {
        return ALIASES.stream().filter(a -> a.get(1).equals(name)).map(a -> a.get(0)).toArray(String[]::new);
    }

    /**
     * Builds the command line for these arguments: one-line errors, named exit codes, no stack traces for user
     * mistakes. When the first argument names a subcommand other than {@code help}, only that one is built;
     * anything else ({@code --help}, a typo, no argument) gets the whole tree, so usage and errors list them all.
     */
    public static CommandLine create(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new BatonCommand());
        String first = args.length > 0 ? args[0] : "";
        String named = ALIASES.stream().filter(a -> a.get(0).equals(first)).map(a -> a.get(1)).findFirst()
                .orElse(first);
        if (COMMANDS.contains(named) && !named.equals("help")) {
            cli.addSubcommand(named, command(named), aliases(named));
        } else {
            for (String name : COMMANDS) {
                cli.addSubcommand(name, command(name), aliases(name));
            }
        }
        CommandLine logs = cli.getSubcommands().get("logs");
        if (logs != null) {
            logs.getCommandSpec().usageMessage().footer("%nAlso 'baton tail', as supervisorctl names it: 'baton tail"
                    + " -f web' follows web's lines. Both streams are shown, stdout and stderr (--json tells them"
                    + " apart): supervisorctl's trailing stdout/stderr word is not a stream filter here.");
        }
        for (CommandLine sub : cli.getSubcommands().values().stream().distinct().toList()) { // aliases: once
            if (!sub.getCommandName().equals("help")) { // baton COMMAND --help, as every usage error suggests
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
        }
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
        cli.setParameterExceptionHandler((e, unmatched) -> {
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
            return new String[] {"baton " + dev.baton.supervisor.Version.current()};
        }
    }
}
