package dev.baton.supervisor.cli;

import dev.baton.conf.Signal;
import dev.baton.supervisor.control.Results;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "signal", description = "Send a signal (HUP, USR1, TERM, 15...) to workers' processes.")
final class SignalCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SIGNAL", description = "Signal name or number.")
    String signal;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET", description = Requests.TARGET_HELP)
    List<String> targets;

    @Override
    public Integer call() {
        Signal parsed = Signal.parse(signal).orElseThrow(() -> new CliException(ExitCode.USAGE,
                "unknown signal: " + signal + " (known: " + List.of(Signal.values()) + ")"));
        String target = Requests.query("/v1/signal?signal=" + parsed.name(), Requests.targets(targets));
        Results results = Requests.call(options.client(), "POST", target, Results.class);
        return Requests.printResults(results, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
