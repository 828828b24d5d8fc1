package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "shutdown", description = "Stop accepting, answer the requests already accepted, stop every worker"
        + " gracefully, then the daemon; waits until its process is gone.")
final class ShutdownCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up waiting after this long (default: ${DEFAULT-VALUE}); the daemon goes on stopping.")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ControlClient client = options.client();
        Message answer = Requests.call(client, "POST", "/v1/shutdown", Message.class);
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        Optional<ProcessHandle> daemon = answer.pid() > 0 ? ProcessHandle.of(answer.pid()) : Optional.empty();
        while (client.reachable() || daemon.map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new CliException(ExitCode.FAILURE, "still shutting down after " + timeoutSeconds + "s");
            }
            Thread.sleep(50);
        }
        spec.commandLine().getOut().println("baton: shut down, every worker stopped");
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }
}
