package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.PidReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "pid", description = "Without a target, the daemon's pid; with targets, each selected worker's pid,"
        + " one per line in status order (0 for a worker not running, as supervisorctl prints). 'pid all' lists"
        + " every worker's.")
final class PidCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = Requests.TARGET_HELP)
    List<String> targets = new ArrayList<>();

    @Override
    public Integer call() {
        PidReply reply = Requests.call(options.client(), "GET", Requests.query("/v1/pid", Requests.targets(targets)),
                PidReply.class);
        PrintWriter out = spec.commandLine().getOut();
        if (targets.isEmpty()) {
            out.println(reply.daemon());
        } else {
            reply.workers().forEach(w -> out.println(w.pid()));
        }
        out.flush();
        return ExitCode.OK;
    }
}
