package dev.baton.supervisor;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.LogDestination;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.WorkerNaming;

import java.util.OptionalInt;

/**
 * Sets the keys of worker naming, umask and log files on a parsed configuration, for tests written before the TOML
 * readers of those keys existed.
 */
final class Naming {

    private Naming() {
    }

    static ProgramConfig with(ProgramConfig c, WorkerNaming naming, OptionalInt umask, LogDestination stdout,
                              LogDestination stderr) {
        return new ProgramConfig(c.name(), c.command(), c.directory(), c.environment(), c.numprocs(), c.autostart(),
                c.autorestart(), c.exitcodes(), c.startsecs(), c.startretries(), c.stopsignal(), c.stopwaitsecs(),
                c.stopasgroup(), c.killasgroup(), c.redirectStderr(), c.stdoutLogfileMaxbytes(),
                c.stdoutLogfileBackups(), c.stderrLogfileMaxbytes(), c.stderrLogfileBackups(), c.priority(), c.user(),
                c.reload(), c.proxy(), c.recycle(), naming, umask, stdout, stderr);
    }

    /** {@code config} with every program's naming and log files set so. */
    static BatonConfig with(BatonConfig config, WorkerNaming naming, LogDestination stdout, LogDestination stderr) {
        return new BatonConfig(config.file(), config.daemon(), config.programs().stream()
                .map(p -> with(p, naming, p.umask(), stdout, stderr)).toList(), config.groups(), config.files());
    }
}
