package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.process.ProcessSpec;
import dev.baton.supervisor.process.SpawnCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "check", description = "Validate the configuration without starting anything (like nginx -t)."
        + " Prints every error with file:line:column and exits 2, or a summary and exits 0. Also warns about"
        + " what would stop a worker from starting now: a missing folder or user, a command not found.")
final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BatonConfig config = options.load(spec.commandLine().getErr());
        for (ProgramConfig p : config.programs()) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(p.environment());
            ProcessSpec worker = new ProcessSpec(p.name(), p.command(), p.directory(), env, p.user(), p.stopsignal());
            SpawnCheck.problem(worker).ifPresent(problem -> spec.commandLine().getErr()
                    .println("warning: program." + p.name() + ": cannot start now: " + problem));
        }
        int workers = config.programs().stream().mapToInt(p -> p.numprocs()).sum();
        spec.commandLine().getOut().println(config.file() + ": OK, " + config.programs().size() + " programs, "
                + workers + " workers; control socket " + config.daemon().socket());
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return ExitCode.OK;
    }
}
