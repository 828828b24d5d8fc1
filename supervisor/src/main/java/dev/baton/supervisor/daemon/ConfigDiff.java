package dev.baton.supervisor.daemon;

import dev.baton.conf.BatonConfig;
import dev.baton.conf.GroupConfig;
import dev.baton.conf.ProgramConfig;
import dev.baton.conf.ReloadStrategy;
import dev.baton.supervisor.control.ConfigReply;
import dev.baton.supervisor.control.ConfigReply.GroupState;
import dev.baton.supervisor.control.ConfigReply.ProgramState;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration file on disk compared with what the daemon runs ({@code baton reread}, {@code baton avail},
 * {@code baton update}): per program and per group, in use, changed (and which keys), added or removed. Keys are
 * named as in the file where a configuration record's component says it ({@code numprocs},
 * {@code stdout_logfile}, {@code process_name}, {@code max_requests}...); the proxy's and the reload's nested
 * settings by their part ({@code listen}, {@code health}, {@code timeouts}, {@code reload_strategy}...).
 */
final class ConfigDiff {

    /** Component names whose key in the file differs from their snake_case. */
    private static final Map<String, String> KEYS = Map.of("proxy", "listen", "strategy", "reload_strategy",
            "canary", "canary_*");

    private ConfigDiff() {
    }

    /**
     * @param file    the file as read now
     * @param running the configuration each running program runs, in start order
     * @param groups  the groups last applied
     */
    static ConfigReply compare(BatonConfig file, List<ProgramConfig> running, List<GroupConfig> groups) {
        Map<String, ProgramConfig> now = new LinkedHashMap<>();
        running.forEach(p -> now.put(p.name(), p));
        List<ProgramState> programs = new ArrayList<>();
        for (ProgramConfig p : file.programs()) {
            ProgramConfig old = asConfigured(now.get(p.name()), p);
            List<String> changes = old == null ? List.of() : changes(old, p);
            String state = old == null ? ConfigReply.ADDED : changes.isEmpty() ? ConfigReply.IN_USE
                    : ConfigReply.CHANGED;
            programs.add(new ProgramState(p.name(), file.groupOf(p.name()).map(GroupConfig::name), state, changes,
                    p.autostart(), p.priority(), p.numprocs()));
        }
        for (ProgramConfig old : running) {
            if (file.program(old.name()).isEmpty()) {
                Optional<String> group = groups.stream().filter(g -> g.programs().contains(old.name()))
                        .map(GroupConfig::name).findFirst();
                programs.add(new ProgramState(old.name(), group, ConfigReply.REMOVED, List.of(), old.autostart(),
                        old.priority(), old.numprocs()));
            }
        }
        List<GroupState> groupStates = new ArrayList<>();
        for (GroupConfig g : file.groups()) {
            GroupConfig old = groups.stream().filter(o -> o.name().equals(g.name())).findFirst().orElse(null);
            List<String> changes = new ArrayList<>();
            if (old != null && !old.programs().equals(g.programs())) {
                changes.add("programs");
            }
            if (old != null && old.priority() != g.priority()) {
                changes.add("priority");
            }
            String state = old == null ? ConfigReply.ADDED : changes.isEmpty() ? ConfigReply.IN_USE
                    : ConfigReply.CHANGED;
            groupStates.add(new GroupState(g.name(), state, changes, g.programs(), g.priority()));
        }
        for (GroupConfig old : groups) {
            if (file.group(old.name()).isEmpty()) {
                groupStates.add(new GroupState(old.name(), ConfigReply.REMOVED, List.of(), old.programs(),
                        old.priority()));
            }
        }
        return new ConfigReply(file.file().toString(), programs, groupStates);
    }

    /**
     * {@code running} as its file said, for a program last reloaded with {@code baton reload --canary}, which runs
     * its configuration with {@code reload_strategy = "canary"} whatever the file says; the strategy only matters to
     * the next reload, which reads it from the file anyway.
     */
    private static ProgramConfig asConfigured(ProgramConfig running, ProgramConfig file) {
        if (running == null || running.reload().strategy() != ReloadStrategy.CANARY) {
            return running;
        }
        return running.withReloadStrategy(file.reload().strategy());
    }

    /** The keys whose values differ, in the order of {@link ProgramConfig}'s components. */
    static List<String> changes(ProgramConfig old, ProgramConfig now) {
        List<String> keys = new ArrayList<>();
        differences(old, now, keys, true);
        return keys.stream().distinct().toList();
    }

    /** Adds the differing components of two records; one level into a nested record (or a present Optional). */
    private static void differences(Record a, Record b, List<String> keys, boolean top) {
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            Object x = value(c, a);
            Object y = value(c, b);
            if (Objects.equals(x, y)) {
                continue;
            }
            if (x instanceof Optional<?> ox && y instanceof Optional<?> oy && ox.isPresent() && oy.isPresent()) {
                x = ox.get();
                y = oy.get();
            }
            if (top && x instanceof Record rx && y instanceof Record ry) {
                differences(rx, ry, keys, false);
            } else {
                String key = snake(c.getName());
                keys.add(KEYS.getOrDefault(key, key));
            }
        }
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }

    private static String snake(String camel) {
        StringBuilder s = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                s.append('_').append(Character.toLowerCase(ch));
            } else {
                s.append(ch);
            }
        }
        return s.toString();
    }
}
