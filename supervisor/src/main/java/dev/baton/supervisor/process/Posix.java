package dev.baton.supervisor.process;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.util.Optional;

/**
 * The few libc calls the JDK does not offer: signals to process groups, exact exit status, reaping orphans, user
 * lookup.
 */
public final class Posix {

    public static final int ESRCH = 3;
    public static final int ECHILD = 10;
    public static final int EINTR = 4;

    private static final int P_ALL = 0;
    private static final int P_PID = 1;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int CLD_EXITED = 1;
    private static final int SIGINFO_SIZE = 128;
    private static final int O_WRONLY = 1;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int SIG_UNBLOCK = 1;
    private static final int SIGQUIT = 3;
    private static final int SIGSET_SIZE = 128;

    private interface LibC extends Library {
        int kill(int pid, int sig);

        int waitid(int idtype, int id, Pointer infop, int options);

        int waitpid(int pid, IntByReference status, int options);

        Pointer getpwnam(String name);

        int geteuid();

        int getpid();

        int open(String path, int flags);

        int close(int fd);

        int pthread_sigmask(int how, Pointer set, Pointer oldset);

        long sysconf(int name);

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private static final int SC_CLK_TCK = 2;
    private static final int SC_PAGESIZE = 30;

    private static final LibC C = Native.load("c", LibC.class);

    private Posix() {
    }

    /** Sends {@code signal} to {@code pid}, or to process group {@code pid} when {@code group}; false if none exists. */
    public static boolean kill(int pid, int signal, boolean group) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid " + pid);
        }
        return C.kill(group ? -pid : pid, signal) == 0;
    }

    /** True when process group {@code pgid} still has a member. */
    public static boolean groupAlive(int pgid) {
        return pgid > 0 && C.kill(-pgid, 0) == 0;
    }

    /** Clock ticks per second, the unit of CPU times in {@code /proc/PID/stat} (100 on Linux, but asked). */
    public static long clockTicksPerSecond() {
        long ticks = C.sysconf(SC_CLK_TCK);
        return ticks > 0 ? ticks : 100;
    }

    /** Bytes per memory page, the unit of resident sizes in {@code /proc/PID/stat}. */
    public static long pageSize() {
        long size = C.sysconf(SC_PAGESIZE);
        return size > 0 ? size : 4096;
    }

    public static int geteuid() {
        return C.geteuid();
    }

    public static int getpid() {
        return C.getpid();
    }

    /**
     * Blocks until child {@code pid} has exited and returns its status without reaping it (the zombie keeps its
     * pid and process group id reserved). Empty when it is not (or no longer) our child.
     */
    public static Optional<ExitStatus> awaitExitWithoutReaping(int pid) {
        // siginfo_t on x86_64: int si_signo, si_errno, si_code; 4 bytes padding; pid_t si_pid; uid_t si_uid;
        // int si_status
        Memory info = new Memory(SIGINFO_SIZE);
        while (true) {
            info.clear();
            int rc = C.waitid(P_PID, pid, info, WEXITED | WNOWAIT);
            if (rc == 0) {
                int code = info.getInt(8);
                int status = info.getInt(24);
                return Optional.of(code == CLD_EXITED ? ExitStatus.exited(status) : ExitStatus.killed(status));
            }
            if (Native.getLastError() != EINTR) {
                return Optional.empty();
            }
        }
    }

    /** Reaps child {@code pid} if it has exited; never blocks. */
    public static void reap(int pid) {
        C.waitpid(pid, new IntByReference(), WNOHANG);
    }

    /** Reaps child {@code pid} if it has exited; never blocks. True when it reaped one. */
    static boolean reapExited(int pid) {
        return C.waitpid(pid, new IntByReference(), WNOHANG) == pid;
    }

    /** True when some child of this process (of any of its threads) has exited and awaits reaping; reaps none. */
    static boolean exitedChildWaiting() {
        Memory info = new Memory(SIGINFO_SIZE);
        info.clear();
        return C.waitid(P_ALL, 0, info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.getInt(16) != 0;
    }

    /**
     * Makes this process the reaper of its descendants' orphans ({@code PR_SET_CHILD_SUBREAPER}, Linux 3.4), as the
     * init of a PID namespace is; {@code false} undoes it. False when the kernel refused.
     */
    static boolean childSubreaper(boolean on) {
        return C.prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) == 0;
    }

    /**
     * Opens another write end of the pipe behind {@code fd} of process {@code pid} (close-on-exec, non-blocking);
     * -1 when that fd is gone or is not ours to open.
     */
    public static int openPipeWriteEnd(int pid, int fd) {
        return C.open("/proc/" + pid + "/fd/" + fd, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    }

    public static void close(int fd) {
        if (fd >= 0) {
            C.close(fd);
        }
    }

    /**
     * Unblocks SIGQUIT in the calling thread. The JVM blocks it in every thread but its signal dispatcher, and a
     * child inherits the mask of the thread that spawns it: without this, a worker could never get SIGQUIT
     * ({@code stopsignal = "QUIT"}), and gunicorn's quick shutdown (its master sends SIGQUIT) would hang. A SIGQUIT
     * to Baton itself may then be taken on this thread; the JVM's handler only posts it to its dispatcher.
     */
    public static void unblockQuitForChildren() {
        Memory set = new Memory(SIGSET_SIZE);
        set.clear();
        set.setLong(0, 1L << (SIGQUIT - 1));
        C.pthread_sigmask(SIG_UNBLOCK, set, null);
    }

    /** Looks a user up through NSS: uid, gid and home folder; empty when unknown. */
    public static Optional<UserInfo> lookupUser(String name) {
        Pointer pw = C.getpwnam(name);
        if (pw == null) {
            return Optional.empty();
        }
        // struct passwd on LP64: char *pw_name, *pw_passwd; uid_t pw_uid; gid_t pw_gid; char *pw_gecos, *pw_dir, ...
        int uid = pw.getInt(16);
        int gid = pw.getInt(20);
        Pointer dir = pw.getPointer(32);
        return Optional.of(new UserInfo(name, uid, gid, dir == null ? "/" : dir.getString(0)));
    }

    /** A user account as NSS reports it. */
    public record UserInfo(String name, int uid, int gid, String home) {
    }
}
