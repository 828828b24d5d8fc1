package dev.baton.supervisor.daemon;

import dev.baton.supervisor.Log;
import dev.baton.supervisor.ReloadResult;
import dev.baton.supervisor.Version;
import dev.baton.supervisor.control.ControlServer;
import dev.baton.supervisor.events.Event;
import dev.baton.supervisor.process.Posix;

import java.io.IOException;
import java.util.List;

/**
 * The start of the daemon {@code baton upgrade} starts ({@code baton run --take-over}), the new side of
 * {@link Upgrade}. With the listening sockets the old daemon handed over ({@link Handoff}):
 * <ol>
 *   <li>adopts them (binding only the addresses that are new), held: nothing accepts here yet;</li>
 *   <li>starts every program as a reload starts a new generation ({@code Supervisor.warmBoot}), each step sent to
 *       the old daemon;</li>
 *   <li>once all are ready: takes the control socket (renamed over the old one's), accepts on every listener,
 *       reports READY and tells systemd it is the main process; the old daemon then drains and exits, and this
 *       one takes {@code SOCKET.lock} and the pid records once it is gone ({@link #settle}).</li>
 * </ol>
 * A failure on the way is reported (FAILED, the reason, the failing worker's last lines); this daemon then stops
 * its workers and exits, the old one serving on.
 */
final class TakeOver {

    /** A rolled back start says the placeholder generation 0 serves on: here it is the old daemon that does. */
    private static final String ROLLED_BACK = "; rolled back, generation 0 keeps serving";

    private final Daemon daemon;
    private final Handoff.Taken handoff;

    TakeOver(Daemon daemon, Handoff.Taken handoff) {
        this.daemon = daemon;
        this.handoff = handoff;
    }

    /** Steps 1 to 3; answers the control server once this daemon serves. Main thread. */
    ControlServer start() throws Daemon.StartupException {
        ListenPlan.Bound bound;
        try {
            bound = daemon.bindFrontends(handoff.fds());
        } catch (Daemon.StartupException e) {
            report(Handoff.Report.failed(Posix.getpid(), e.getMessage(), "", List.of()));
            throw e;
        }
        daemon.onLoop(() -> {
            daemon.frontends().hold();
            daemon.frontends().prepare(bound);
            return null;
        });
        daemon.installSignals();
        int workers = daemon.config().programs().stream().mapToInt(p -> p.numprocs()).sum();
        Log.info("baton " + Version.current() + " (pid " + Posix.getpid() + ") taking over: starting "
                + daemon.config().programs().size() + " programs, " + workers + " workers, held out of traffic"
                + " until ready");
        List<ReloadResult> results = daemon.supervisor().warmBoot(daemon.config(),
                event -> handoff.step(DaemonApi.step(event))).join();
        ReloadResult failed = results.stream().filter(r -> r.outcome().failed()).findFirst().orElse(null);
        String failure = failed != null ? failed.message().replace(ROLLED_BACK, "")
                : daemon.shuttingDown() ? "the new daemon was stopped while it started" : null;
        ControlServer server = null;
        if (failure == null) {
            try {
                server = daemon.openControl(); // renamed over the old daemon's: the CLI talks to this one now
            } catch (Daemon.StartupException e) {
                failure = e.getMessage();
            }
        }
        if (failure != null) {
            report(Handoff.Report.failed(Posix.getpid(), failure, failed == null ? "" : failed.failedWorker(),
                    failed == null ? List.of() : failed.lastLines()));
            daemon.stopAfterFailedStart();
            throw new Daemon.StartupException(failure);
        }
        int listeners = daemon.onLoop(() -> {
            daemon.frontends().release();
            return daemon.frontends().listeners().size();
        });
        daemon.accepting();
        String ready = "every program is ready: accepting on " + listeners + " listeners; control socket "
                + daemon.config().daemon().socket();
        Log.info(ready);
        report(Handoff.Report.ready(Posix.getpid()));
        SystemdNotify.send("MAINPID=" + Posix.getpid() + "\nREADY=1");
        daemon.emit(Event.Type.DAEMON_STARTED, "took over from the daemon it replaces (baton upgrade)",
                "baton " + Version.current() + " (pid " + Posix.getpid() + ") took over: " + ready);
        Thread settle = new Thread(this::settle, "baton-take-over");
        settle.setDaemon(true);
        settle.start();
        return server;
    }

    /** After the switch: once the old daemon has exited, takes its lock and the pid records. */
    private void settle() {
        SocketLock lock = null;
        try {
            lock = SocketLock.take(daemon.config().daemon().socket()); // blocks until the old daemon is gone
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            Log.warn("cannot lock " + SocketLock.file(daemon.config().daemon().socket()) + ": " + e.getMessage()
                    + "; another baton may start on this socket");
        }
        handoff.close();
        daemon.settled(lock);
        Log.info("the daemon this one replaced has exited; upgrade complete");
    }

    /** Tells the old daemon; when it is gone already, this daemon serves on anyway. */
    private void report(Handoff.Report report) {
        try {
            handoff.report(report);
        } catch (IOException e) {
            Log.warn(e.getMessage());
        }
    }
}
