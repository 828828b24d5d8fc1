package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ConfigReply;
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

@Command(name = "avail", description = "Every program of the configuration file as it is on disk (the daemon reads"
        + " it afresh, includes too), one line each: name, group, state, autostart, priority, numprocs. The state is"
        + " 'in use' (runs with this configuration), 'changed' (runs with another), 'avail' (in the file, not applied"
        + " yet) or 'removed' (runs, no longer in the file); like supervisorctl avail. Exit 2 when the file is"
        + " invalid.")
final class AvailCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the daemon's answer ({file, programs: [{name, group, state,"
            + " changes, autostart, priority, numprocs}], groups}); states in_use, changed, added, removed.")
    boolean json;

    @Override
    public Integer call() {
        ConfigReply reply = Requests.call(options.client(), "GET", "/v1/config", ConfigReply.class);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(reply));
        } else {
            print(reply.programs(), out);
        }
        out.flush();
        return ExitCode.OK;
    }

    static void print(List<ProgramState> programs, PrintWriter out) {
        if (programs.isEmpty()) {
            out.println("no programs configured");
            return;
        }
        int name = 4;
        int group = 5;
        for (ProgramState p : programs) {
            name = Math.max(name, p.name().length());
            group = Math.max(group, p.group().orElse("-").length());
        }
        out.println(row(name, group, "NAME", "GROUP", "STATE", "AUTOSTART", "PRIORITY", "NUMPROCS"));
        for (ProgramState p : programs) {
            out.println(row(name, group, p.name(), p.group().orElse("-"), state(p.state()),
                    p.autostart() ? "auto" : "manual", String.valueOf(p.priority()), String.valueOf(p.numprocs())));
        }
    }

    /** supervisorctl's words: {@code in use}, {@code avail}; ours otherwise. */
    static String state(String state) {
        return switch (state) {
            case ConfigReply.IN_USE -> "in use";
            case ConfigReply.ADDED -> "avail";
            default -> state;
        };
    }

    private static String row(int nameWidth, int groupWidth, String name, String group, String state,
                              String autostart, String priority, String numprocs) {
        return (pad(name, nameWidth) + "  " + pad(group, groupWidth) + "  " + pad(state, 7) + "  "
                + pad(autostart, 9) + "  " + pad(priority, 8) + "  " + numprocs).stripTrailing();
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
