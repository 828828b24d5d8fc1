package dev.baton.conf.supervisord;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code [supervisord]} section: {@code environment} becomes {@code [baton] environment}; {@code directory}
 * and {@code umask} are what the programs inherit; every other option is a note.
 *
 * @param directory supervisord's working directory, when the section sets it
 * @param umask     supervisord's umask, when the section sets it
 */
record DaemonImport(Optional<String> directory, Optional<Integer> umask) {

    private static final Map<String, String> NOTES = Map.ofEntries(
            Map.entry("logfile", "Baton's own log goes to its standard error (the journal under systemd)"),
            Map.entry("logfile_maxbytes", "Baton's own log goes to its standard error (the journal under systemd)"),
            Map.entry("logfile_backups", "Baton's own log goes to its standard error (the journal under systemd)"),
            Map.entry("loglevel", "Baton's own log goes to its standard error (the journal under systemd)"),
            Map.entry("silent", "Baton's own log goes to its standard error (the journal under systemd)"),
            Map.entry("pidfile", "baton run stays in the foreground; systemd (or your supervisor) knows its pid"),
            Map.entry("nodaemon", "baton run always stays in the foreground, as a systemd service wants"),
            Map.entry("childlogdir", "the default (AUTO) log files go to [baton] log_dir (default: logs next to"
                    + " baton.toml); set log_dir to keep them in this folder"),
            Map.entry("user", "run baton as that user (User= in its systemd unit); a program's own user needs"
                    + " Baton running as root"),
            Map.entry("minfds", "raise the limit in Baton's systemd unit instead (LimitNOFILE=)"),
            Map.entry("minprocs", "raise the limit in Baton's systemd unit instead (LimitNPROC=)"),
            Map.entry("identifier", "an XML-RPC detail of supervisorctl"),
            Map.entry("nocleanup", "Baton removes no log files when it starts"),
            Map.entry("strip_ansi", "Baton keeps the workers' bytes as written"));

    /**
     * Reads {@code section} (null when the file has none); its environment goes into {@code environment} and into
     * {@code names} as {@code ENV_X}.
     */
    static DaemonImport convert(IniSection section, Map<String, Object> names, String hostName,
                                TomlTable environment, List<SupervisordImport.Note> notes) throws ImportException {
        if (section == null) {
            return new DaemonImport(Optional.empty(), Optional.empty());
        }
        Optional<String> directory = Optional.empty();
        Optional<Integer> umask = Optional.empty();
        for (Map.Entry<String, IniSection.Entry> option : section.options().entrySet()) {
            String key = option.getKey();
            String where = section.where(key) + ": [supervisord] " + key;
            String value = Expansion.expand(option.getValue().value(), names, where);
            switch (key) {
                case "directory" -> directory = Optional.of(value.startsWith("~/") && names.get("ENV_HOME") != null
                        ? names.get("ENV_HOME") + value.substring(1) : value);
                case "umask" -> {
                    try {
                        umask = Optional.of(PythonValues.octal(value));
                    } catch (IllegalArgumentException e) {
                        throw new ImportException(where + ": " + e.getMessage());
                    }
                }
                case "environment" -> {
                    Map<String, Object> second = new HashMap<>(names);
                    second.put("host_node_name", hostName);
                    Map<String, String> pairs;
                    try {
                        pairs = KeyValuePairs.parse(Expansion.expand(value, second, where));
                    } catch (IllegalArgumentException e) {
                        throw new ImportException(where + ": " + e.getMessage());
                    }
                    pairs.forEach((name, text) -> {
                        environment.put(name, text.replace("$", "$$"));
                        names.put("ENV_" + name, text);
                    });
                    if (!pairs.isEmpty()) {
                        environment.comment("[supervisord] environment in " + section.where(key)
                                + ": every program's environment starts from it");
                    }
                }
                default -> notes.add(new SupervisordImport.Note("supervisord", key, "not carried: "
                        + NOTES.getOrDefault(key, "unknown to supervisord 4.2, which ignores it")));
            }
        }
        return new DaemonImport(directory, umask);
    }
}
