package dev.baton.supervisor.cli;

import picocli.CommandLine.Command;

@Command(name = "start", description = "Start workers; waits until each is RUNNING (startsecs) or has failed.")
final class StartCommand extends TargetCommand {
    @Override
    String endpoint() {
        return "/v1/start";
    }
}
