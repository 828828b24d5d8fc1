package dev.baton.supervisor;

import dev.baton.conf.Signal;
import dev.baton.supervisor.process.ChildProcess;
import dev.baton.supervisor.process.ExitStatus;
import dev.baton.supervisor.process.Launcher;
import dev.baton.supervisor.process.ProcessListener;
import dev.baton.supervisor.process.ProcessSpec;
import dev.baton.supervisor.process.SpawnException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link Launcher} that starts nothing: tests make its children print, receive signals and exit. */
final class FakeLauncher implements Launcher {

    final List<FakeChild> started = new ArrayList<>();
    String failWith;
    private int nextPid = 100;

    final class FakeChild implements ChildProcess {
        final int pid = nextPid++;
        final ProcessSpec spec;
        final ProcessListener listener;
        final List<String> signals = new ArrayList<>();
        boolean killGroupOnExit;

        FakeChild(ProcessSpec spec, ProcessListener listener) {
            this.spec = spec;
            this.listener = listener;
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public boolean signal(Signal signal, boolean group) {
            signals.add((group ? "group " : "") + signal.name());
            return true;
        }

        @Override
        public void killGroupOnExit(boolean enabled) {
            killGroupOnExit = enabled;
        }

        void printOut(String text) {
            listener.onStdout(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        void print(String text) {
            listener.onStderr(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        void exit(ExitStatus status) {
            listener.onExit(status);
        }
    }

    @Override
    public ChildProcess start(ProcessSpec spec, ProcessListener listener) throws SpawnException {
        if (failWith != null) {
            throw new SpawnException(failWith);
        }
        FakeChild child = new FakeChild(spec, listener);
        started.add(child);
        return child;
    }

    FakeChild last() {
        return started.get(started.size() - 1);
    }
}
