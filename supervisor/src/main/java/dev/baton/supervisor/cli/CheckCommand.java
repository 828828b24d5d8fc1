package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "check", description = "Validate the configuration without starting anything (like nginx -t)."
        + " Prints every error with file:line:column and exits 2, or a summary and exits 0.")
final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BatonConfig config = options.load(spec.commandLine().getErr());
        int workers = config.programs().stream().mapToInt(p -> p.numprocs()).sum();
        spec.commandLine().getOut().println(config.file() + ": OK, " + config.programs().size() + " programs, "
                + workers + " workers; control socket " + config.daemon().socket());
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
