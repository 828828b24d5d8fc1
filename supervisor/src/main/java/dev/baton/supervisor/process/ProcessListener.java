package dev.baton.supervisor.process;

import java.nio.ByteBuffer;

/**
 * Receives a child's output and its exit. Output arrives on a launcher I/O thread, possibly shared with other
 * children: implementations must not block. {@link #onExit} is called exactly once, after which no output follows.
 */
public interface ProcessListener {

    void onStdout(ByteBuffer chunk);

    void onStderr(ByteBuffer chunk);

    void onExit(ExitStatus status);
}
