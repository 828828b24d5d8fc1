package dev.baton.proxy;

import java.io.Closeable;
import java.util.List;

/** One program served by the proxy. */
public interface ProxiedProgram extends Closeable {

    /**
     * Replaces the program's backends with this view (safe from any thread). A {@code SERVING} backend gets
     * traffic once a health check passes; a {@code HELD} one is checked but gets none until published
     * {@code SERVING}; a {@code DRAINING} one gets no new requests; a {@code STOPPING} one also has its WebSocket
     * tunnels closed. A backend no longer listed is out of routing at once.
     */
    void publish(List<BackendView> backends);

    ProgramStats stats();

    /** Stops listening and closes the program's idle worker connections; in-flight exchanges end abruptly. */
    @Override
    void close();
}
