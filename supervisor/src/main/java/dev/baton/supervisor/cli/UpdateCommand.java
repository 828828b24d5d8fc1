package dev.baton.supervisor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "update", description = {
        "Apply what baton reread reports: reload only the programs the file changed, added or removed (among those"
                + " named, when named), as baton reload does, with its steps, output and exit codes; the file's"
                + " groups apply too. Prints 'no changes' and exits 0 when the file is what runs."})
final class UpdateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--wait", description = "If a reload of these programs is running, wait for it to end, then"
            + " update (default: refuse, exit code 5).")
    boolean wait;

    @Option(names = "--json", description = "Print each step and the summary as JSON objects, one per line.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "PROGRAM|GROUP", description = "Programs or groups to update"
            + " (default: every one that changed).")
    List<String> programs = new ArrayList<>();

    @Override
    public Integer call() {
        String target = Requests.query("/v1/update" + (wait ? "?wait=1" : ""), "program", programs);
        return ReloadCommand.stream(options, target, json, spec.commandLine().getOut(), spec.commandLine().getErr(),
                "no changes");
    }
}
