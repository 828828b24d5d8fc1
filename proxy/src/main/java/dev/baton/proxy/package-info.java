/**
 * Baton's HTTP/1.1 reverse proxy (Netty). It knows nothing of processes or configuration files: it takes plain
 * settings objects and an immutable view of each program ({@link dev.baton.proxy.ProgramView}: its settings, its
 * backends each with its own generation's settings, whether it is down), published by the supervisor. A
 * {@link dev.baton.proxy.ProxiedProgram} lives across reloads: a new view changes its settings in place, and its
 * client connections, queue and backends go on. Its {@link dev.baton.proxy.Listener}s are bound apart, accept
 * nothing until a program serves them, and close only when no program serves them any more.
 *
 * <p>Each published {@link dev.baton.proxy.BackendView} is one backend, identified by its
 * {@link dev.baton.proxy.BackendView.Key key}: worker id, generation and incarnation (a same-generation replacement
 * of a worker is another backend, which may serve beside the one it replaces). The same key in the next view is the
 * same backend: in-flight count, pooled connections, health state and traffic counters go on; a key no longer
 * listed is gone with them. Each backend has a role. {@code HELD}: health-checked (and warmed up) but given no
 * request; {@code SERVING}: given requests once a check passed, at once if it passed while held; {@code CANARY}:
 * like {@code SERVING}, but given only the view's {@code canaryWeight} percent of the requests; {@code DRAINING}:
 * no new request, in-flight ones and open WebSocket tunnels go on; {@code STOPPING}: draining, and its tunnels are
 * closed with a 1001 close frame.
 *
 * <p>A request goes to the routable backend with the fewest requests in flight, within {@code max_inflight}, or
 * waits in the program's queue. While a canary is routable, each request draws once, with the canary weight's
 * probability, whether it belongs to the canary group or to the others, and is given only a backend of its group,
 * queued or retried, unless its group has no routable backend it has not tried yet. Without a canary there is no
 * draw.
 *
 * <p>The proxy answers through {@link dev.baton.proxy.BackendListener}, and these hold:
 * <ul>
 *   <li>{@code ready} comes once per backend, after its first passed check and its warm-up, never before.</li>
 *   <li>{@code drained} comes once per backend, only when it is draining with no request in flight and no open
 *       tunnel. After it the proxy sends the worker no client request, so stopping it fails none. A backend
 *       dropped from the view without being drained first never gets one.</li>
 *   <li>{@code health} comes once per change of a serving or canary backend: ejected ({@code HEALTHY ->
 *       UNHEALTHY}: failed checks, failed requests, a refused or reset connection) or re-admitted
 *       ({@code UNHEALTHY -> HEALTHY}); never for a held or draining one.</li>
 *   <li>One backend's events reach the listener one at a time, in the order they happened, outside the proxy's
 *       locks.</li>
 *   <li>While the view says the program is down, a request that finds no routable backend is answered 503 at
 *       once, and the queue is emptied the same way.</li>
 *   <li>After {@code stopAccepting} no new connection is accepted, no request is read after the one in progress
 *       on each connection, and every request already read is answered.</li>
 * </ul>
 */
package dev.baton.proxy;
