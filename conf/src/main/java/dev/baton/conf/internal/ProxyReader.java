package dev.baton.conf.internal;

import dev.baton.conf.AccessLogFormat;
import dev.baton.conf.ListenAddress;
import dev.baton.conf.ProxyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;

/** Reads the reverse-proxy keys of one {@code [program.NAME]} table. */
public final class ProxyReader {

    /** Every proxy key {@code [program.NAME]} accepts; all but {@code listen} need {@code listen}. */
    public static final List<String> KEYS = List.of(
            "listen", "health_check", "max_inflight", "max_queue", "queue_timeout", "connect_timeout",
            "response_timeout", "header_timeout", "body_timeout", "keepalive_timeout", "upstream_keepalive_timeout",
            "max_header_size", "max_body_size", "health_interval", "health_timeout", "health_rise", "health_fall",
            "retries", "trusted_proxies", "access_log", "access_log_format", "access_log_maxbytes",
            "access_log_backups", "warmup_path", "warmup_requests");

    /** An HTTP origin-form path: "/" then visible ASCII (no blanks, no control characters). */
    private static final Pattern HTTP_PATH = Pattern.compile("/[\\x21-\\x7E]*");

    private ProxyReader() {
    }

    /**
     * Reads the proxy of {@code program}: present exactly when it has {@code listen}. Every value is checked even
     * without {@code listen}, and each proxy key then also reports that it needs {@code listen}.
     *
     * @param base   the configuration file's folder, against which paths are resolved
     * @param owners every listen address of the file so far; this program's are added
     */
    public static Optional<ProxyConfig> read(Section program, Path base, ListenOwners owners) {
        ProxyConfig proxy = values(program, base, owners);
        if (program.has("warmup_requests") && !program.has("warmup_path")) {
            program.errorAtKey("warmup_requests", "needs \"warmup_path\"");
        }
        if (program.has("listen")) {
            return Optional.of(proxy);
        }
        for (String key : KEYS) {
            if (program.has(key)) {
                program.errorAtKey(key, "needs \"listen\"");
            }
        }
        return Optional.empty();
    }

    /** Every proxy key of {@code program}, at its default when left out, read in {@link #KEYS} order. */
    private static ProxyConfig values(Section program, Path base, ListenOwners owners) {
        ProxyConfig d = ProxyConfig.defaults(List.of());
        ProxyConfig.Health health = d.health();
        ProxyConfig.Limits limits = d.limits();
        ProxyConfig.Timeouts timeouts = d.timeouts();
        ProxyConfig.AccessLog log = d.accessLog();
        return ProxyConfig.builder(listen(program, base, owners))
                .healthCheck(httpPath(program, "health_check"))
                .maxInflight(program.integer("max_inflight", limits.maxInflight(), 0))
                .maxQueue(program.integer("max_queue", limits.maxQueue(), 0))
                .queueTimeout(program.duration("queue_timeout", timeouts.queue()))
                .connectTimeout(program.duration("connect_timeout", timeouts.connect()))
                .responseTimeout(program.duration("response_timeout", timeouts.response()))
                .headerTimeout(program.duration("header_timeout", timeouts.header()))
                .bodyTimeout(program.duration("body_timeout", timeouts.body()))
                .keepaliveTimeout(program.duration("keepalive_timeout", timeouts.keepalive()))
                .upstreamKeepaliveTimeout(
                        program.duration("upstream_keepalive_timeout", timeouts.upstreamKeepalive()))
                .maxHeaderSize(program.size("max_header_size", limits.maxHeaderSize(), 1024, 1024 * 1024))
                .maxBodySize(program.size("max_body_size", limits.maxBodySize(), 0, Long.MAX_VALUE))
                .healthInterval(program.duration("health_interval", health.interval()))
                .healthTimeout(program.duration("health_timeout", health.timeout()))
                .healthRise(program.integer("health_rise", health.rise(), 1))
                .healthFall(program.integer("health_fall", health.fall(), 1))
                .retries(program.integer("retries", limits.retries(), 0))
                .trustedProxies(trustedProxies(program))
                .accessLog(program.path("access_log", base))
                .accessLogFormat(accessLogFormat(program))
                .accessLogMaxbytes(program.size("access_log_maxbytes", log.maxbytes(), 0, Long.MAX_VALUE))
                .accessLogBackups(program.integer("access_log_backups", log.backups(), 0))
                .warmupPath(httpPath(program, "warmup_path"))
                .warmupRequests(program.integer("warmup_requests", health.warmupRequests(), 1))
                .build();
    }

    /** A string or a non-empty array of strings; each address is claimed in {@code owners}. */
    private static List<ListenAddress> listen(Section program, Path base, ListenOwners owners) {
        Object value = program.get("listen");
        String owner = program.keyPath("listen");
        List<ListenAddress> addresses = new ArrayList<>();
        if (value == null) {
            return addresses;
        }
        if (value instanceof String text) {
            address(text, base, owner, owners, message -> program.error("listen", message)).ifPresent(addresses::add);
            return addresses;
        }
        if (!(value instanceof TomlArray array)) {
            program.typeError("listen", "a string or an array of strings");
            return addresses;
        }
        if (array.isEmpty()) {
            program.error("listen", "must not be empty");
        }
        for (int i = 0; i < array.size(); i++) {
            int index = i;
            Consumer<String> problems = message -> program.errorAtElement("listen", array, index, message);
            if (array.get(i) instanceof String text) {
                address(text, base, owner, owners, problems).ifPresent(addresses::add);
            } else {
                problems.accept("expected a string, found " + Section.typeName(array.get(i)));
            }
        }
        return addresses;
    }

    private static Optional<ListenAddress> address(String text, Path base, String owner, ListenOwners owners,
                                                   Consumer<String> problems) {
        ListenAddress address;
        try {
            address = ListenParser.parse(text, base);
        } catch (IllegalArgumentException e) {
            problems.accept(e.getMessage());
            return Optional.empty();
        }
        return owners.claim(address, owner, problems) ? Optional.of(address) : Optional.empty();
    }

    private static Optional<String> httpPath(Section program, String key) {
        Optional<String> path = program.string(key);
        if (path.isPresent() && !HTTP_PATH.matcher(path.get()).matches()) {
            program.error(key, "expected a path such as \"/healthz\", found \"" + path.get() + "\"");
            return Optional.empty();
        }
        return path;
    }

    private static List<String> trustedProxies(Section program) {
        Object value = program.get("trusted_proxies");
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof TomlArray array)) {
            program.typeError("trusted_proxies", "an array of strings");
            return List.of();
        }
        List<String> blocks = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Optional<String> problem = array.get(i) instanceof String text
                    ? IpLiterals.cidrProblem(text)
                    : Optional.of("expected a string, found " + Section.typeName(array.get(i)));
            if (problem.isPresent()) {
                program.errorAtElement("trusted_proxies", array, i, problem.get());
            } else {
                blocks.add(array.getString(i));
            }
        }
        return blocks;
    }

    private static AccessLogFormat accessLogFormat(Section program) {
        Optional<String> format = program.string("access_log_format");
        if (format.isEmpty()) {
            return AccessLogFormat.COMBINED;
        }
        for (AccessLogFormat candidate : AccessLogFormat.values()) {
            if (candidate.name().equalsIgnoreCase(format.get())) {
                return candidate;
            }
        }
        program.error("access_log_format", "must be \"combined\" or \"json\", found \"" + format.get() + "\"");
        return AccessLogFormat.COMBINED;
    }
}
