package dev.baton.supervisor.process;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessHandler;
import dev.baton.conf.Signal;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One child started by {@link NuProcessLauncher}. Its exit is reported exactly once, with an exact status.
 *
 * <p>NuProcess reaps a child as soon as its stdout and stderr reach end-of-file, and reports only a number that
 * cannot tell "killed by signal 9" from "exit(9)"; and it may never report a child that closed its pipes early.
 * So Baton holds its own write ends of the child's two pipes (opened through {@code /proc/PID/fd}): NuProcess
 * cannot see end-of-file, hence cannot reap, before our watcher has read the exact status with
 * {@code waitid(WNOWAIT)}. The watcher then kills what is left of the process group (the zombie still reserves
 * its id), lets go of the pipes, waits briefly for the last output and reaps. NuProcess's own report is used
 * only when the pipes could not be held (the child closed them already) and NuProcess reaped first.
 */
final class NuChild implements ChildProcess {

    /** NuProcess's code for "waitpid said ECHILD": we reaped first and already reported. */
    private static final int NU_ECHILD = Integer.MAX_VALUE;
    /** How long an exit report waits for the last output still in the pipes. */
    private static final long OUTPUT_GRACE_MS = 500;
    private static final byte[] GO = "go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final ProcessListener listener;
    private final AtomicBoolean reported = new AtomicBoolean();
    private final CountDownLatch outputClosed = new CountDownLatch(2);
    private volatile boolean killGroupOnExit;
    private volatile int pid;
    private volatile ExitStatus exact;
    private int heldStdout = -1;
    private int heldStderr = -1;

    NuChild(ProcessListener listener) {
        this.listener = listener;
    }

    /** Holds the child's pipes, then lets it run past its gate (see {@link SpawnCheck}). */
    void started(NuProcess process) {
        this.pid = process.getPID();
        heldStdout = Posix.openPipeWriteEnd(pid, 1);
        heldStderr = Posix.openPipeWriteEnd(pid, 2);
        process.writeStdin(ByteBuffer.wrap(GO));
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public boolean signal(Signal signal, boolean group) {
        return !reported.get() && Posix.kill(pid, signal.number(), group);
    }

    @Override
    public void killGroupOnExit(boolean enabled) {
        killGroupOnExit = enabled;
    }

    /** Runs on a watcher thread until the child has exited and been reaped (by it, or by NuProcess first). */
    void watch() {
        try {
            watchUntilReaped();
        } finally {
            OwnChildren.reaped(pid);
        }
    }

    private void watchUntilReaped() {
        Optional<ExitStatus> status = Posix.awaitExitWithoutReaping(pid);
        if (status.isPresent()) {
            exact = status.get();
            if (killGroupOnExit) {
                Posix.kill(pid, Signal.KILL.number(), true);
            }
        }
        Posix.close(heldStdout);
        Posix.close(heldStderr);
        if (status.isEmpty()) {
            return; // NuProcess reaped it first and reports it
        }
        awaitOutput();
        Posix.reap(pid);
        report(status.get());
    }

    private void awaitOutput() {
        try {
            outputClosed.await(OUTPUT_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void report(ExitStatus status) {
        if (reported.compareAndSet(false, true)) {
            listener.onExit(status);
        }
    }

    NuProcessHandler handler() {
        return new NuAbstractProcessHandler() {
            @Override
            public void onStdout(ByteBuffer buffer, boolean closed) {
                deliver(buffer, closed, true);
            }

            @Override
            public void onStderr(ByteBuffer buffer, boolean closed) {
                deliver(buffer, closed, false);
            }

            @Override
            public void onExit(int code) {
                if (code == NU_ECHILD || pid <= 0) {
                    return;
                }
                if (killGroupOnExit) {
                    Posix.kill(pid, Signal.KILL.number(), true);
                }
                ExitStatus known = exact;
                if (known != null) {
                    report(known);
                } else {
                    report(code == Integer.MIN_VALUE ? ExitStatus.ambiguous(127) : ExitStatus.ambiguous(code));
                }
            }
        };
    }

    private void deliver(ByteBuffer buffer, boolean closed, boolean stdout) {
        if (buffer.hasRemaining()) {
            if (stdout) {
                listener.onStdout(buffer);
            } else {
                listener.onStderr(buffer);
            }
        }
        if (closed) {
            outputClosed.countDown();
        }
    }
}
