package dev.baton.supervisor.cli;

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

    @Parameters(arity = "1..*", paramLabel = "TARGET", description = "NAME, NAME:N or all.")
    List<String> targets;

    abstract String endpoint();

    @Override
    public Integer call() {
        Object body = Requests.call(options.client(), "POST", Requests.query(endpoint(), "target", targets));
        return Requests.printResults(body, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
