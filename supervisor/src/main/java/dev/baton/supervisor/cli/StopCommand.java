package dev.baton.supervisor.cli;

import picocli.CommandLine.Command;

@Command(name = "stop", description = "Stop workers (stopsignal, SIGKILL after stopwaitsecs); waits until stopped.")
final class StopCommand extends TargetCommand {
    @Override
    String endpoint() {
        return "/v1/stop";
    }
}
