package dev.baton.proxy;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How one program is served. Plain values: the proxy knows nothing of configuration files. Build one with
 * {@link #builder(String)}, whose setters are named after the configuration keys; unset values take the same
 * defaults as the configuration's.
 *
 * @param name           the program's name, for messages and the access log
 * @param listen         where clients connect: {@link java.net.InetSocketAddress} or
 *                       {@link io.netty.channel.unix.DomainSocketAddress}
 * @param health         how backends are checked and warmed up
 * @param limits         how much one backend, the queue and one request may take
 * @param timeouts       how long each wait may last
 * @param trustedProxies IP addresses and CIDR blocks whose {@code X-Forwarded-For} is believed
 * @param accessLogJson  access log lines are JSON objects rather than the combined format
 */
public record ProxySettings(
        String name,
        List<SocketAddress> listen,
        Health health,
        Limits limits,
        Timeouts timeouts,
        List<String> trustedProxies,
        boolean accessLogJson) {

    public ProxySettings {
        listen = List.copyOf(listen);
        trustedProxies = List.copyOf(trustedProxies);
        if (health.warmupRequests() < 0) {
            throw new IllegalArgumentException(name + ": warmupRequests must not be negative: "
                    + health.warmupRequests());
        }
    }

    /**
     * Health checks and warm-up of backends.
     *
     * @param path           path of the HTTP health check; empty: healthy when the worker accepts a connection
     * @param interval       time between health checks of a backend
     * @param timeout        one health check fails after this
     * @param rise           passing checks in a row that re-admit an ejected backend
     * @param fall           failing checks in a row that eject a backend
     * @param warmupPath     path of the warm-up requests; empty: no warm-up
     * @param warmupRequests after a new backend's first passed health check, Baton sends this many sequential GETs of
     *                       {@code warmupPath} to it, and only then counts it READY/HEALTHY. The answers' status is
     *                       not judged, but a connection failure or no complete answer within
     *                       {@link Timeouts#response()} counts as a failed health check: the backend stays PENDING
     *                       and is probed again. 0: none
     */
    public record Health(Optional<String> path, Duration interval, Duration timeout, int rise, int fall,
                         Optional<String> warmupPath, int warmupRequests) {
    }

    /**
     * Limits on backends, the queue and requests.
     *
     * @param maxInflight   requests at once per worker, 0 = unlimited
     * @param maxQueue      requests waiting inside Baton for a worker before new ones get 503
     * @param maxHeaderSize bytes of request line and headers
     * @param maxBodySize   bytes of a request body, 0 = unlimited
     * @param retries       attempts of a failed request on another worker
     */
    public record Limits(int maxInflight, int maxQueue, int maxHeaderSize, long maxBodySize, int retries) {
    }

    /**
     * Timeouts of the proxy.
     *
     * @param queue             longest wait in the queue for a free worker
     * @param connect           connecting to a worker
     * @param response          from request sent to the first response byte, and the longest silence between
     *                          response bytes
     * @param header            a client must send complete request headers within this
     * @param body              the longest silence while reading a request body; then 408 and close
     * @param keepalive         an idle client keep-alive connection is closed after this
     * @param upstreamKeepalive an idle pooled connection to a worker is closed after this
     */
    public record Timeouts(Duration queue, Duration connect, Duration response, Duration header, Duration body,
                           Duration keepalive, Duration upstreamKeepalive) {
    }

    /** A builder for program {@code name}, listening nowhere yet, every other value at its default. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder holding every value of these settings. */
    public Builder toBuilder() {
        return builder(name).listen(listen)
                .healthCheck(health.path()).healthInterval(health.interval()).healthTimeout(health.timeout())
                .healthRise(health.rise()).healthFall(health.fall())
                .warmupPath(health.warmupPath()).warmupRequests(health.warmupRequests())
                .maxInflight(limits.maxInflight()).maxQueue(limits.maxQueue())
                .maxHeaderSize(limits.maxHeaderSize()).maxBodySize(limits.maxBodySize()).retries(limits.retries())
                .queueTimeout(timeouts.queue()).connectTimeout(timeouts.connect())
                .responseTimeout(timeouts.response()).headerTimeout(timeouts.header()).bodyTimeout(timeouts.body())
                .keepaliveTimeout(timeouts.keepalive()).upstreamKeepaliveTimeout(timeouts.upstreamKeepalive())
                .trustedProxies(trustedProxies).accessLogJson(accessLogJson);
    }

    /**
     * Builds {@link ProxySettings} one value at a time, each setter named after the configuration key it comes
     * from and documented on the grouped record that holds it. Unset values keep the configuration's defaults.
     */
    public static final class Builder {
        private final String name;
        private List<SocketAddress> listen = List.of();
        private Optional<String> healthCheck = Optional.empty();
        private Duration healthInterval = Duration.ofSeconds(2);
        private Duration healthTimeout = Duration.ofSeconds(1);
        private int healthRise = 2;
        private int healthFall = 3;
        private Optional<String> warmupPath = Optional.empty();
        private int warmupRequests = 1;
        private int maxInflight = 1;
        private int maxQueue = 1000;
        private int maxHeaderSize = 16 * 1024;
        private long maxBodySize = 0;
        private int retries = 2;
        private Duration queueTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration keepaliveTimeout = Duration.ofSeconds(75);
        private Duration upstreamKeepaliveTimeout = Duration.ofSeconds(1);
        private List<String> trustedProxies = List.of();
        private boolean accessLogJson;

        private Builder(String name) {
            this.name = name;
        }

        /** See {@link ProxySettings#listen()}. */
        public Builder listen(List<SocketAddress> value) {
            listen = value;
            return this;
        }

        /** See {@link Health#path()}. */
        public Builder healthCheck(Optional<String> value) {
            healthCheck = value;
            return this;
        }

        /** See {@link Health#interval()}. */
        public Builder healthInterval(Duration value) {
            healthInterval = value;
            return this;
        }

        /** See {@link Health#timeout()}. */
        public Builder healthTimeout(Duration value) {
            healthTimeout = value;
            return this;
        }

        /** See {@link Health#rise()}. */
        public Builder healthRise(int value) {
            healthRise = value;
            return this;
        }

        /** See {@link Health#fall()}. */
        public Builder healthFall(int value) {
            healthFall = value;
            return this;
        }

        /** See {@link Health#warmupPath()}. */
        public Builder warmupPath(Optional<String> value) {
            warmupPath = value;
            return this;
        }

        /** See {@link Health#warmupRequests()}. */
        public Builder warmupRequests(int value) {
            warmupRequests = value;
            return this;
        }

        /** See {@link Limits#maxInflight()}. */
        public Builder maxInflight(int value) {
            maxInflight = value;
            return this;
        }

        /** See {@link Limits#maxQueue()}. */
        public Builder maxQueue(int value) {
            maxQueue = value;
            return this;
        }

        /** See {@link Limits#maxHeaderSize()}. */
        public Builder maxHeaderSize(int value) {
            maxHeaderSize = value;
            return this;
        }

        /** See {@link Limits#maxBodySize()}. */
        public Builder maxBodySize(long value) {
            maxBodySize = value;
            return this;
        }

        /** See {@link Limits#retries()}. */
        public Builder retries(int value) {
            retries = value;
            return this;
        }

        /** See {@link Timeouts#queue()}. */
        public Builder queueTimeout(Duration value) {
            queueTimeout = value;
            return this;
        }

        /** See {@link Timeouts#connect()}. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** See {@link Timeouts#response()}. */
        public Builder responseTimeout(Duration value) {
            responseTimeout = value;
            return this;
        }

        /** See {@link Timeouts#header()}. */
        public Builder headerTimeout(Duration value) {
            headerTimeout = value;
            return this;
        }

        /** See {@link Timeouts#body()}. */
        public Builder bodyTimeout(Duration value) {
            bodyTimeout = value;
            return this;
        }

        /** See {@link Timeouts#keepalive()}. */
        public Builder keepaliveTimeout(Duration value) {
            keepaliveTimeout = value;
            return this;
        }

        /** See {@link Timeouts#upstreamKeepalive()}. */
        public Builder upstreamKeepaliveTimeout(Duration value) {
            upstreamKeepaliveTimeout = value;
            return this;
        }

        /** See {@link ProxySettings#trustedProxies()}. */
        public Builder trustedProxies(List<String> value) {
            trustedProxies = value;
            return this;
        }

        /** See {@link ProxySettings#accessLogJson()}. */
        public Builder accessLogJson(boolean value) {
            accessLogJson = value;
            return this;
        }

        /**
         * The settings with every value set so far.
         *
         * @throws IllegalArgumentException when {@code warmupRequests} is negative
         */
        public ProxySettings build() {
            return new ProxySettings(name, listen,
                    new Health(healthCheck, healthInterval, healthTimeout, healthRise, healthFall,
                            warmupPath, warmupRequests),
                    new Limits(maxInflight, maxQueue, maxHeaderSize, maxBodySize, retries),
                    new Timeouts(queueTimeout, connectTimeout, responseTimeout, headerTimeout, bodyTimeout, keepaliveTimeout,
                            upstreamKeepaliveTimeout),
                    trustedProxies, accessLogJson);
        }
    }
}
