package dev.baton.proxy;

import java.util.List;
import java.util.Optional;

/**
 * Everything the proxy is told about one program at once, published as an immutable snapshot
 * ({@link ProxiedProgram#publish}).
 *
 * @param settings the program's settings now: its queue ({@code max_queue}, {@code queue_timeout}), its clients'
 *                 timeouts and limits, retries, forwarding and access log format. Each backend brings its own
 *                 generation's settings for what concerns it alone (health checks, warm-up, {@code max_inflight},
 *                 connect and response timeouts, pooled connections)
 * @param backends the workers, each with its role
 * @param down     why no worker is running or coming back (every worker stopped, FATAL...): a request that finds
 *                 no routable backend is then answered 503 at once instead of waiting; empty otherwise
 */
public record ProgramView(ProxySettings settings, List<BackendView> backends, Optional<String> down) {

    public ProgramView {
        backends = List.copyOf(backends);
    }
}
