package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ConfigReply.GroupState;
import dev.baton.supervisor.control.ConfigReply.ProgramState;
import dev.baton.supervisor.control.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "reread", description = "Have the daemon read its configuration file again (includes too) and say,"
        + " per program and group, what differs from what runs: 'web: changed (command, numprocs)', 'celery: added',"
        + " 'old: removed', or 'no changes'. Applies nothing (baton update does). Invalid file: its errors, exit 2.")
final class RereadCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the daemon's answer, as avail --json.")
    boolean json;

    @Override
    public Integer call() {
        ConfigReply reply = Requests.call(options.client(), "GET", "/v1/config", ConfigReply.class);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(reply));
        } else {
            lines(reply).forEach(out::println);
        }
        out.flush();
        return ExitCode.OK;
    }

    /** One line per program, then per group, that is not in use; or {@code no changes}. */
    static List<String> lines(ConfigReply reply) {
        List<String> lines = new java.util.ArrayList<>();
        for (ProgramState p : reply.programs()) {
            if (!p.state().equals(ConfigReply.IN_USE)) {
                lines.add(p.name() + ": " + describe(p.state(), p.changes()));
            }
        }
        for (GroupState g : reply.groups()) {
            if (!g.state().equals(ConfigReply.IN_USE)) {
                lines.add("group " + g.name() + ": " + describe(g.state(), g.changes()));
            }
        }
        return lines.isEmpty() ? List.of("no changes") : lines;
    }

    private static String describe(String state, List<String> changes) {
        return state.equals(ConfigReply.CHANGED) ? state + " (" + String.join(", ", changes) + ")" : state;
    }
}
