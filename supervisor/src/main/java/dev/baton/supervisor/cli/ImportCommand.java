package dev.baton.supervisor.cli;

import dev.baton.conf.supervisord.ImportException;
import dev.baton.conf.supervisord.SupervisordImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;

@Command(name = "import", description = "Convert a supervisord configuration (the main file and its [include]"
        + " files) into a baton.toml, printed on stdout. Each option that cannot be carried over is named on"
        + " stderr with what to do instead. Exits 2 when the input cannot be read or supervisord would reject it.")
final class ImportCommand implements Callable<Integer> {

    static final Path DEFAULT_FILE = Path.of("/etc/supervisor/supervisord.conf");

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
            description = "supervisord's main configuration file (default: /etc/supervisor/supervisord.conf).")
    Path file = DEFAULT_FILE;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the configuration to FILE instead of stdout; an existing FILE needs --force.")
    Path output;

    @Option(names = "--force", description = "Overwrite the --output file if it exists.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SupervisordImport.Result result;
        try {
            result = SupervisordImport.convert(file, System.getenv(), hostName());
        } catch (ImportException e) {
            throw new CliException(ExitCode.USAGE, "import: " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        if (output != null) {
            write(result.toml());
        }
        for (SupervisordImport.Note note : result.notes()) {
            err.println("baton import: " + note);
        }
        if (output == null) {
            spec.commandLine().getOut().print(result.toml());
            spec.commandLine().getOut().flush();
        } else {
            err.println("baton import: wrote " + output);
        }
        err.flush();
        return ExitCode.OK;
    }

    private void write(String toml) {
        try {
            if (force) {
                Files.writeString(output, toml, StandardCharsets.UTF_8);
            } else {
                Files.writeString(output, toml, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CliException(ExitCode.USAGE, "import: " + output + " exists; use --force to overwrite it");
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILURE, "import: cannot write " + output + ": " + e.getMessage());
        }
    }

    /** supervisord's {@code %(host_node_name)s}: Python's {@code platform.node()}, the kernel's host name. */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException unknown) {
                return "localhost";
            }
        }
    }
}
