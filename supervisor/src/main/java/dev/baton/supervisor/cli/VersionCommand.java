package dev.baton.supervisor.cli;

import dev.baton.supervisor.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "version", description = "Print Baton's version and the Java runtime it runs on.")
final class VersionCommand implements Callable<Integer> {

    /** Accepted (and unused) so that scripts can pass -c to every command. */
    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println("baton " + Version.current() + " (Java " + Runtime.version() + ")");
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
