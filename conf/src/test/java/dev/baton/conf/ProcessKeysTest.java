package dev.baton.conf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** numprocs_start, process_name, umask, stdout_logfile and stderr_logfile: defaults, forms and errors. */
class ProcessKeysTest {

    private static final Path FILE = Path.of("/etc/baton/baton.toml");

    private static ProgramConfig parse(String keys) throws ConfigException {
        return ConfigLoader.parse("[program.web]\ncommand = \"./run\"\n" + keys + "\n", FILE, Map.of())
                .programs().get(0);
    }

    private static List<String> errors(String keys) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[program.web]\ncommand = \"./run\"\n" + keys + "\n", Path.of("baton.toml"), Map.of()));
        return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
    }

    @Test
    void defaultsAreWorkersFromZeroNamedProgramColonNumberBatonsUmaskAndAutoLogs() throws ConfigException {
        ProgramConfig p = parse("numprocs = 3");
        assertEquals(WorkerNaming.DEFAULTS, p.naming());
        assertEquals(List.of(0, 1, 2), List.of(p.workerNumber(0), p.workerNumber(1), p.workerNumber(2)));
        assertEquals("web:2", p.workerName(2));
        assertEquals(OptionalInt.empty(), p.umask());
        assertEquals(LogDestination.AUTO, p.stdoutLogfile());
        assertEquals(LogDestination.AUTO, p.stderrLogfile());
    }

    @Test
    void numprocsStartNumbersTheWorkersAndProcessNameNamesThem() throws ConfigException {
        ProgramConfig p = parse("numprocs = 2\nnumprocs_start = 8\nprocess_name = \"{program}_{worker:02}\"");
        assertEquals(new WorkerNaming(8, "{program}_{worker:02}"), p.naming());
        assertEquals(9, p.workerNumber(1));
        assertEquals("web_09", p.workerName(p.workerNumber(1)));
        assertEquals("solo", parse("process_name = \"solo\"").workerName(0));
    }

    @Test
    void processNameErrors() {
        assertEquals(List.of(
                "baton.toml:3:18: program.web.numprocs_start: must be at least 0, found -1",
                "baton.toml:4:16: program.web.process_name: process_name must contain {worker} when numprocs > 1,"
                        + " or the workers would share one name"),
                errors("numprocs_start = -1\nprocess_name = \"{program}\"\nnumprocs = 2"));
        assertEquals(List.of("baton.toml:3:16: program.web.process_name: {port} cannot be used here, only"
                + " {program} and {worker}"), errors("process_name = \"{program}-{port}\""));
        assertEquals(List.of("baton.toml:3:16: program.web.process_name: invalid format spec in \"{worker:x}\":"
                + " use a width such as {worker:02} (zero-padded) or {worker:3}"),
                errors("process_name = \"w{worker:x}\""));
        assertEquals(List.of("baton.toml:3:16: program.web.process_name: may use letters, digits, \"_\", \"-\","
                + " \".\", \":\" and the placeholders, found \"web {worker}\" (a name is a target and part of log file"
                + " names)"), errors("process_name = \"web {worker}\""));
        assertEquals(1, errors("process_name = \"web/{worker}\"").size(), "no / in a name");
        assertEquals(1, errors("process_name = \"web{worker:3}\"").size(), "no blank padding in a name");
        assertEquals("web_08.a-b:web", assertDoesNotThrow(() -> parse("process_name = \"web_{worker:02}.a-b:{program}\""))
                .workerName(8));
        assertEquals(List.of("baton.toml:3:16: program.web.process_name: must not be empty"),
                errors("process_name = \"\""));
        assertEquals(List.of("baton.toml:3:18: program.web.numprocs_start: expected an integer, found a string"),
                errors("numprocs_start = \"1\""));
    }

    @Test
    void umaskIsOctalDigitsInAStringOrATomlInteger() throws ConfigException {
        assertEquals(OptionalInt.of(0022), parse("umask = \"022\"").umask());
        assertEquals(OptionalInt.of(0022), parse("umask = \"0022\"").umask());
        assertEquals(OptionalInt.of(0), parse("umask = \"0\"").umask());
        assertEquals(OptionalInt.of(0077), parse("umask = 0o077").umask());
        assertEquals(OptionalInt.of(0777), parse("umask = \"777\"").umask());
    }

    @Test
    void umaskErrors() {
        assertEquals(List.of("baton.toml:3:9: program.web.umask: expected octal digits such as \"022\", found \"089\""),
                errors("umask = \"089\""));
        assertEquals(List.of("baton.toml:3:9: program.web.umask: expected octal digits such as \"022\", found \"00022\""),
                errors("umask = \"00022\""));
        assertEquals(List.of("baton.toml:3:9: program.web.umask: must be between 0 and 0o777 (\"777\"), found 0o1000"),
                errors("umask = 0o1000"));
        assertEquals(List.of("baton.toml:3:9: program.web.umask: must be between 0 and 0o777 (\"777\"), found 0o1777"),
                errors("umask = \"1777\""));
        assertEquals(List.of("baton.toml:3:9: program.web.umask: must be between 0 and 0o777 (\"777\"), found -1"),
                errors("umask = -1"));
        assertEquals(List.of("baton.toml:3:9: program.web.umask: expected a string of octal digits such as \"022\""
                + " or an integer such as 0o022, found a float"), errors("umask = 0.22"));
    }

    @Test
    void logfilesAreAutoNoneAnyCaseOrPathTemplatesAgainstTheConfigFolder() throws ConfigException {
        assertEquals(LogDestination.NONE, parse("stdout_logfile = \"none\"").stdoutLogfile());
        assertEquals(LogDestination.NONE, parse("stderr_logfile = \"NONE\"").stderrLogfile());
        assertEquals(LogDestination.AUTO, parse("stdout_logfile = \"Auto\"").stdoutLogfile());
        ProgramConfig p = parse("stdout_logfile = \"logs/../out/{program}-{worker:02}.log\"\n"
                + "stderr_logfile = \"/var/log/{process_name}.err\"");
        assertEquals(LogDestination.file("/etc/baton/out/{program}-{worker:02}.log"), p.stdoutLogfile());
        assertEquals(LogDestination.file("/var/log/{process_name}.err"), p.stderrLogfile());
    }

    @Test
    void logfileErrors() {
        assertEquals(List.of(
                "baton.toml:3:18: program.web.stdout_logfile: {generation} cannot be used here, only {program},"
                        + " {worker} and {process_name}",
                "baton.toml:4:18: program.web.stderr_logfile: {program} takes no format spec, found \"{program:02}\""),
                errors("stdout_logfile = \"/tmp/{generation}.log\"\nstderr_logfile = \"/tmp/{program:02}.log\""));
        assertEquals(List.of("baton.toml:4:18: program.web.stderr_logfile: has no effect with redirect_stderr = true"),
                errors("redirect_stderr = true\nstderr_logfile = \"/tmp/err.log\""));
        assertEquals(List.of("baton.toml:3:18: program.web.stdout_logfile: must not be empty"),
                errors("stdout_logfile = \"\""));
        assertEquals(List.of("baton.toml:3:18: program.web.stdout_logfile: expected a string, found a boolean"),
                errors("stdout_logfile = false"));
    }

    @Test
    void formatSpecsInCommandAndEnvironmentAreCheckedAtTheirKey() throws ConfigException {
        ProgramConfig p = parse("environment = { NODE = \"n{worker:02}\" }");
        assertEquals("n{worker:02}", p.environment().get("NODE"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "[program.web]\ncommand = \"./run {worker:zz}\"\nenvironment = { PORT = \"{port:5}\" }\n",
                Path.of("baton.toml"), Map.of()));
        assertEquals(List.of(
                "baton.toml:2:11: program.web.command: invalid format spec in \"{worker:zz}\": use a width such as"
                        + " {worker:02} (zero-padded) or {worker:3}",
                "baton.toml:3:24: program.web.environment.PORT: {port} takes no format spec, found \"{port:5}\""),
                e.errors().stream().map(ConfigError::toString).collect(Collectors.toList()));
    }
}
