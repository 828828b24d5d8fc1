/**
 * Baton's HTTP/1.1 reverse proxy (Netty). It knows nothing of processes or configuration files: it takes plain
 * settings objects and an immutable view of each program's backends, published by the supervisor.
 */
package dev.baton.proxy;
