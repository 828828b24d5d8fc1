package dev.baton.supervisor.process;

import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts children with NuProcess (non-blocking pipes for their output) and watches their exit itself.
 *
 * <p>Must be called from one long-lived thread: the kernel delivers the parent-death signal when the
 * <em>thread</em> that spawned a child ends, so spawning from a pooled thread that later retires would kill
 * healthy workers. NuProcess spawns on the calling thread as long as no working directory is set, which is why
 * the folder is entered through {@code env -C} instead.
 */
public final class NuProcessLauncher implements Launcher {

    private final ExecutorService watchers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(null, r, "baton-exit-watch", 256 * 1024);
        t.setDaemon(true);
        return t;
    });

    /** Threads whose signal mask no longer blocks SIGQUIT (see {@link Posix#unblockQuitForChildren}). */
    private static final ThreadLocal<Boolean> QUIT_UNBLOCKED = ThreadLocal.withInitial(() -> {
        Posix.unblockQuitForChildren();
        return Boolean.TRUE;
    });

    @Override
    public ChildProcess start(ProcessSpec spec, ProcessListener listener) throws SpawnException {
        QUIT_UNBLOCKED.get(); // children inherit the spawning thread's signal mask
        List<String> argv = SpawnCheck.argv(spec);
        NuChild child = new NuChild(listener);
        NuProcessBuilder builder = new NuProcessBuilder(argv, spec.environment());
        builder.setProcessListener(child.handler());
        NuProcess process = OwnChildren.spawn(builder::start, NuProcess::getPID);
        if (process == null || process.getPID() <= 0) {
            throw new SpawnException("cannot start " + argv.get(argv.size() - spec.command().size()));
        }
        child.started(process);
        watchers.execute(child::watch);
        return child;
    }
}
