/**
 * The control socket: an HTTP/1.1 JSON API on a unix domain socket (server on Netty's epoll transport) and the
 * JDK-only client the CLI uses. The socket is never reachable with looser permissions than configured, and a
 * slow client never makes the daemon buffer without bound.
 */
package dev.baton.supervisor.control;
