package dev.baton.supervisor.cli;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.LogDestination;
import dev.baton.conf.ProgramConfig;
import dev.baton.supervisor.log.LogFiles;
import dev.baton.supervisor.process.Posix;
import dev.baton.supervisor.process.ProcessSpec;
import dev.baton.supervisor.process.SpawnCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "check", description = "Validate the configuration without starting anything (like nginx -t)."
        + " Prints every error with file:line:column and exits 2, or a summary and exits 0. Also warns about"
        + " what would stop a worker from starting now: a missing folder or user, a command not found, a user that"
        + " cannot enter the directory or run the command, a log file's folder that does not exist.")
final class CheckCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    /**
     * What would stop a program's workers that {@link SpawnCheck} does not see: its {@code user} (not root) cannot
     * enter its directory or run its command; a log file's folder does not exist.
     */
    static List<String> warnings(ProgramConfig p, Map<String, String> env) {
        List<String> warnings = new ArrayList<>();
        Optional<Posix.UserInfo> user = p.user().flatMap(Posix::lookupUser);
        if (user.isPresent() && user.get().uid() != 0) {
            UserAccess access = UserAccess.of(user.get().name(), user.get().uid(), user.get().gid());
            access.cannotEnter(p.directory()).ifPresent(why -> warnings.add("user " + access.user()
                    + " cannot enter directory " + p.directory() + " (" + why + ")"));
            SpawnCheck.commandFile(p.command().get(0), p.directory(), env)
                    .flatMap(access::cannotRun).ifPresent(why -> warnings.add("user " + access.user()
                            + " cannot run command " + p.command().get(0) + " (" + why + ")"));
        }
        Set<Path> missing = new LinkedHashSet<>();
        for (LogDestination log : List.of(p.stdoutLogfile(), p.stderrLogfile())) {
            String key = log == p.stdoutLogfile() ? "stdout_logfile" : "stderr_logfile";
            if (log.kind() != LogDestination.Kind.FILE) {
                continue;
            }
            for (int slot = 0; slot < p.numprocs(); slot++) {
                int number = p.workerNumber(slot);
                Path folder = LogFiles.filePath(log, p.name(), number, p.workerName(number)).getParent();
                if (folder != null && !Files.isDirectory(folder) && missing.add(folder)) {
                    warnings.add(key + ": folder " + folder + " does not exist");
                }
            }
        }
        return warnings;
    }

    @Override
    public Integer call() {
        BatonConfig config = options.load(spec.commandLine().getErr());
        for (ProgramConfig p : config.programs()) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(p.environment());
            ProcessSpec worker = new ProcessSpec(p.name(), p.command(), p.directory(), env, p.user(), p.stopsignal());
            SpawnCheck.problem(worker).ifPresent(problem -> spec.commandLine().getErr()
                    .println("warning: program." + p.name() + ": cannot start now: " + problem));
            warnings(p, env).forEach(w -> spec.commandLine().getErr().println("warning: program." + p.name()
                    + ": " + w));
        }
        int workers = config.programs().stream().mapToInt(p -> p.numprocs()).sum();
        spec.commandLine().getOut().println(config.file() + ": OK, " + config.programs().size() + " programs, "
                + workers + " workers; control socket " + config.daemon().socket());
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().flush();
        return ExitCode.OK;
    }
}
