package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.Message;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "shutdown", description = "Stop accepting, answer the requests already accepted, stop every worker"
        + " gracefully, then the daemon; waits until its process is gone.")
final class ShutdownCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", converter = WholeNumber.FromOne.class,
            description = "Give up waiting after this long, from 1 (default: ${DEFAULT-VALUE}), counted after the"
                    + " daemon's shutdown_delay; the daemon goes on stopping.")
    long timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        ControlClient client = options.client();
        Message answer = Requests.call(client, "POST", "/v1/shutdown", Message.class);
        long started = System.nanoTime();
        long delay = answer.delayMs().orElse(0L);
        if (delay > 0) { // leaving the pool first ([baton] shutdown_delay): say why nothing happens for a while
            spec.commandLine().getOut().println("baton: " + answer.message());
            spec.commandLine().getOut().flush();
        }
        long patience = TimeUnit.SECONDS.toNanos(timeoutSeconds); // saturates: a huge timeout waits forever
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(delay);
        patience = patience > Long.MAX_VALUE - delayNanos ? Long.MAX_VALUE : patience + delayNanos;
        while (client.reachable() || running(answer.pid())) {
            if (System.nanoTime() - started > patience) {
                throw new CliException(ExitCode.FAILURE, "still shutting down after " + timeoutSeconds + "s");
            }
            Thread.sleep(50);
        }
        spec.commandLine().getOut().println("baton: shut down, every worker stopped");
        spec.commandLine().getOut().flush();
        return ExitCode.OK;
    }

    /**
     * True while process {@code pid} runs. A zombie has exited: it only waits for its parent to read its status
     * (a parent that does so after {@code baton shutdown} returns must not wait forever).
     */
    static boolean running(int pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false; // gone
        }
    }
}
