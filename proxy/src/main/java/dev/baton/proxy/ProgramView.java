package dev.baton.proxy;

import java.util.List;
import java.util.Optional;

/**
 * Everything the proxy is told about one program at once, published as an immutable snapshot
 * ({@link ProxiedProgram#publish}).
 *
 * @param settings     the program's settings now: its queue ({@code max_queue}, {@code queue_timeout}), its
 *                     clients' timeouts and limits, retries, forwarding and access log format. Each backend brings
 *                     its own generation's settings for what concerns it alone (health checks, warm-up,
 *                     {@code max_inflight}, connect and response timeouts, pooled connections)
 * @param backends     the workers, each with its role
 * @param down         why no worker is running or coming back (every worker stopped, FATAL...): a request that
 *                     finds no routable backend is then answered 503 at once instead of waiting; empty otherwise
 * @param canaryWeight the percent (0 to 100) of the program's requests that go to its {@code CANARY} backends
 *                     while one of them is routable; the other backends get the rest. Each request draws its side
 *                     once, and falls over to the other side only when its own has no routable backend it has not
 *                     tried yet
 */
public record ProgramView(ProxySettings settings, List<BackendView> backends, Optional<String> down,
                          int canaryWeight) {

    public ProgramView {
        backends = List.copyOf(backends);
        if (canaryWeight < 0 || canaryWeight > 100) {
            throw new IllegalArgumentException(settings.name() + ": canary weight must be 0 to 100 (percent): "
                    + canaryWeight);
        }
    }

    /** A view with no canary weight (a {@code CANARY} backend then gets a request only when no other can). */
    public ProgramView(ProxySettings settings, List<BackendView> backends, Optional<String> down) {
        this(settings, backends, down, 0);
    }
}
