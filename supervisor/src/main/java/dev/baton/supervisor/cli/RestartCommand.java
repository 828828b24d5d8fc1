package dev.baton.supervisor.cli;

import picocli.CommandLine.Command;

@Command(name = "restart", description = "Stop, then start workers; waits until each is RUNNING or has failed.")
final class RestartCommand extends TargetCommand {
    @Override
    String endpoint() {
        return "/v1/restart";
    }
}
