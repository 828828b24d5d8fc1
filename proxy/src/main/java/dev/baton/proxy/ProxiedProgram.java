package dev.baton.proxy;

import java.io.Closeable;
import java.util.List;

/** One program served by the proxy. */
public interface ProxiedProgram extends Closeable {

    /**
     * Replaces the program's backends with this view (safe from any thread). New backends get traffic once a
     * health check passes; a backend no longer listed is out of routing at once; one not accepting drains.
     */
    void publish(List<BackendView> backends);

    ProgramStats stats();

    /** Stops listening and closes the program's idle worker connections; in-flight exchanges end abruptly. */
    @Override
    void close();
}
