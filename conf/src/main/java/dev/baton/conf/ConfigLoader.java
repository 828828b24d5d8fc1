package dev.baton.conf;

import dev.baton.conf.internal.DaemonReader;
import dev.baton.conf.internal.Definitions;
import dev.baton.conf.internal.EnvExpander;
import dev.baton.conf.internal.EnvironmentReader;
import dev.baton.conf.internal.FileReasons;
import dev.baton.conf.internal.Includes;
import dev.baton.conf.internal.ListenOwners;
import dev.baton.conf.internal.Problems;
import dev.baton.conf.internal.Section;
import dev.baton.conf.internal.ValuePositions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlVersion;

/**
 * Reads a Baton configuration file (TOML 1.0) into a validated {@link BatonConfig}.
 *
 * <p>Every problem in the file, and in the files it includes ({@code [baton] include}) or names as
 * {@code environment_file}, is collected and reported at once, file by file in file order, as one
 * {@link ConfigException}: {@code baton.toml:7:12: program.web.numprocs: expected an integer, found a string}.
 * TOML syntax errors in the main file are reported alone (the rest is not checked until it parses).
 */
public final class ConfigLoader {

    /** The top-level tables a configuration may have. */
    private static final List<String> TABLES = List.of("baton", "program", "group");

    private ConfigLoader() {
    }

    /**
     * Reads and validates {@code file}.
     *
     * @param env the environment {@code ${VAR}} expands from, normally {@link System#getenv()}
     * @throws ConfigException when the file cannot be read or is invalid
     */
    public static BatonConfig load(Path file, Map<String, String> env) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(file, 0, 0, null, "cannot read: " + FileReasons.reason(file, e))));
        }
        return parse(text, file, env);
    }

    /**
     * Validates {@code text} as the contents of {@code file}.
     *
     * @param file names the file in error messages (as given) and is the base of relative paths (its folder)
     * @param env  the environment {@code ${VAR}} expands from
     * @throws ConfigException carrying every problem found, in file order
     */
    public static BatonConfig parse(String text, Path file, Map<String, String> env) throws ConfigException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(env, "env");
        Path absolute = file.toAbsolutePath().normalize();
        Path base = absolute.getParent() == null ? absolute : absolute.getParent();
        Problems problems = new Problems(file);

        TomlParseResult toml = Toml.parse(text, TomlVersion.V1_0_0);
        for (TomlParseError error : toml.errors()) {
            problems.add(error.position(), null, error.getMessage());
        }
        problems.throwIfAny();

        ValuePositions positions = new ValuePositions(text);
        Section root = new Section(toml, List.of(), TomlPosition.positionAt(1, 1), problems, positions);
        root.rejectUnknownKeys(TABLES, Map.of());
        Section baton = root.section("baton")
                .orElseGet(() -> new Section(null, List.of("baton"), null, problems, positions));
        ListenOwners listens = new ListenOwners();
        EnvExpander expander = new EnvExpander(env);
        DaemonSettings daemon = DaemonReader.read(baton, base, expander, listens);
        Map<String, String> environment = EnvironmentReader.table(baton, expander);
        Definitions definitions = new Definitions(expander, listens, environment);
        definitions.read(root, base);
        List<Path> files = new ArrayList<>(List.of(absolute));
        boolean complete = true;
        for (Includes.File included : Includes.files(baton, base, absolute)) {
            complete &= Includes.read(included, problems, definitions);
            files.add(included.path());
        }
        if (!complete) {
            problems.throwIfAny();
        }
        List<GroupConfig> groups = definitions.groups();
        problems.throwIfAny();
        return new BatonConfig(absolute, daemon, definitions.programs(groups), groups, files);
    }
}
