package dev.baton.supervisor.process;

import dev.baton.supervisor.Log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reaps the orphans the kernel hands to Baton: processes whose parent (a worker, or a worker's child) exited
 * before them. As PID 1 of a container Baton gets every orphan of its namespace; elsewhere it makes itself their
 * <em>child subreaper</em> ({@code PR_SET_CHILD_SUBREAPER}, as {@code tini -s} does), so the orphans of its workers'
 * process trees come to Baton rather than to init, and the same code runs in both cases.
 *
 * <p>It never takes the exit status of a child Baton waits for itself: those are recorded in {@link OwnChildren}
 * from their fork until reaped, and a sweep reaps only children that are not recorded, while no spawn is between
 * its fork and its record. A sweep reaps one pid at a time with {@code waitpid(pid, WNOHANG)}, which can only reap
 * a child of Baton that has exited; that pid cannot be reused meanwhile, since only this sweep reaps orphans. An
 * own child's pid that is reaped and reused between the listing and the sweep is either recorded again (a new own
 * child) or an orphan again; so neither a stale listing nor pid reuse can make it reap an own child.
 *
 * <p>One daemon thread sweeps every {@link #INTERVAL_MILLIS}: one {@code waitid(WNOWAIT)} call when no child has
 * exited, and otherwise a read of {@code /proc/self/task/*}{@code /children} (the whole of {@code /proc} on a
 * kernel without it). A zombie orphan waits at most that long; it holds only its pid meanwhile.
 */
public final class OrphanReaper implements AutoCloseable {

    static final long INTERVAL_MILLIS = 250;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "baton-orphan-reaper");
        t.setDaemon(true);
        return t;
    });
    private final boolean subreaper;
    private final AtomicLong reaped = new AtomicLong();
    private boolean warned;

    private OrphanReaper(boolean subreaper) {
        this.subreaper = subreaper;
    }

    /**
     * Starts reaping; when not PID 1, makes Baton a child subreaper first (see {@link #subreaper()} for whether the
     * kernel agreed; if not, the orphans go to init as they would without Baton).
     */
    public static OrphanReaper start() {
        boolean subreaper = Posix.getpid() != 1 && Posix.childSubreaper(true);
        OrphanReaper reaper = new OrphanReaper(subreaper);
        reaper.thread.scheduleWithFixedDelay(reaper::sweepOrWarn, INTERVAL_MILLIS, INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
        return reaper;
    }

    /** Whether Baton was made the subreaper of its descendants' orphans (false as PID 1: it reaps them anyway). */
    public boolean subreaper() {
        return subreaper;
    }

    /** How many orphans this reaper has reaped. */
    public long reaped() {
        return reaped.get();
    }

    private void sweepOrWarn() {
        try {
            sweep();
        } catch (RuntimeException | LinkageError e) { // a scheduled task that throws is never run again
            if (!warned) {
                warned = true;
                Log.warn("reaping orphaned processes: " + e);
            }
        }
    }

    /** Reaps every exited orphan now. Any thread; sweeps do not overlap. */
    synchronized void sweep() {
        if (!Posix.exitedChildWaiting()) {
            return;
        }
        List<Integer> children = children();
        int n = OwnChildren.whileNoSpawn(() -> {
            int count = 0;
            for (int pid : children) {
                if (!OwnChildren.own(pid) && Posix.reapExited(pid)) {
                    count++;
                }
            }
            return count;
        });
        reaped.addAndGet(n);
    }

    /** Stops reaping; as a subreaper, hands later orphans back to init and reaps those that came meanwhile. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (subreaper) {
            Posix.childSubreaper(false);
        }
        sweep();
    }

    /** The pids of this process's children, of every thread; may miss one that exits meanwhile (the next sweep). */
    static List<Integer> children() {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                Path file = task.resolve("children");
                if (!Files.exists(file)) {
                    return childrenFromAllProcesses();
                }
                for (String pid : read(file).split(" ")) {
                    if (!pid.isBlank()) {
                        pids.add(Integer.parseInt(pid.strip()));
                    }
                }
            }
        } catch (IOException e) {
            return childrenFromAllProcesses();
        }
        return pids;
    }

    /** The same from every {@code /proc/PID/stat}: for kernels built without {@code CONFIG_PROC_CHILDREN}. */
    private static List<Integer> childrenFromAllProcesses() {
        String self = Integer.toString(Posix.getpid());
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : all) {
                String stat = read(proc.resolve("stat"));
                int end = stat.lastIndexOf(')');
                String[] fields = end < 0 ? new String[0] : stat.substring(end + 2).split(" ");
                if (fields.length > 1 && fields[1].equals(self)) {
                    pids.add(Integer.parseInt(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to list, nothing reaped
        }
        return pids;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return ""; // the thread or process is gone
        }
    }
}
