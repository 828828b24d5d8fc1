package dev.baton.supervisor;

import dev.baton.supervisor.cli.BatonCommand;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code baton} executable; the only place that calls {@link System#exit}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // NuProcess's shutdown hook would SIGTERM every worker at once; Baton stops them itself, in order.
        System.setProperty("com.zaxxer.nuprocess.enableShutdownHook", "false");
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = BatonCommand.create(out, err, args).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
