package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.Results;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** start, stop and restart: the same request shape on different endpoints. */
abstract class TargetCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TARGET", description = Requests.TARGET_HELP)
    List<String> targets;

    abstract String endpoint();

    @Override
    public Integer call() {
        String target = Requests.query(endpoint(), Requests.targets(targets));
        Results results = Requests.call(options.client(), "POST", target, Results.class);
        return Requests.printResults(results, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
