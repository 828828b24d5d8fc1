/**
 * The control socket: an HTTP/1.1 JSON API on a unix domain socket (server on Netty's epoll transport) and the
 * JDK-only client the CLI uses. The socket is never reachable with looser permissions than configured, and a
 * slow client never makes the daemon buffer without bound. A connection carries one request; every refusal of it
 * (malformed, too large, not all in within {@code ControlInitializer.REQUEST_TIMEOUT})
 * is a JSON error with its status, never a connection closed without an answer; once the request is in, a
 * streamed answer is not timed.
 *
 * <p>The protocol is a set of records both sides share: the daemon answers them ({@link
 * dev.baton.supervisor.control.ControlApi}), {@link dev.baton.supervisor.control.Json} writes each as an object
 * with its components as snake_case keys, and the CLI reads the same records back. One record per message:
 * {@link dev.baton.supervisor.control.StatusReply}, {@link dev.baton.supervisor.control.Results},
 * {@link dev.baton.supervisor.control.ReloadStep} and {@link dev.baton.supervisor.control.ReloadSummary} (the
 * {@link dev.baton.supervisor.control.ReloadLine}s of a reload), {@link dev.baton.supervisor.control.LogEntry},
 * {@link dev.baton.supervisor.control.Message}, {@link dev.baton.supervisor.control.TargetSelection} (what typed
 * targets resolve to: {@link dev.baton.supervisor.Target}s, never text parsed again),
 * {@link dev.baton.supervisor.control.PidReply}, {@link dev.baton.supervisor.control.ConfigReply}, and
 * {@link dev.baton.supervisor.control.ErrorReply} for every
 * 4xx/5xx answer. Changing a record changes the wire format that README's "Control API" documents.
 */
package dev.baton.supervisor.control;
