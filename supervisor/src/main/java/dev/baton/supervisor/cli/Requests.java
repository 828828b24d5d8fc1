package dev.baton.supervisor.cli;

import dev.baton.supervisor.Target;
import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.ErrorReply;
import dev.baton.supervisor.control.Json;
import dev.baton.supervisor.control.Results;
import dev.baton.supervisor.control.TargetSelection;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Sending a control request and turning the answer into output and an exit code. */
final class Requests {

    /** What a TARGET parameter takes, for each command's help. */
    static final String TARGET_HELP = "all, a program or group (NAME, NAME:*), one worker (NAME:N, or its name as"
            + " process_name makes it: web_08, web:web_08) or a group's program (GROUP:PROGRAM).";

    private Requests() {
    }

    static String query(String path, String key, List<String> values) {
        StringBuilder s = new StringBuilder(path);
        char sep = path.contains("?") ? '&' : '?';
        for (String v : values) {
            s.append(sep).append(key).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            sep = '&';
        }
        return s.toString();
    }

    /** {@code path} with one {@code target} parameter per target, as typed (the daemon resolves them). */
    static String query(String path, List<String> targets) {
        return query(path, "target", targets);
    }

    /**
     * The targets the operator typed, to send as they are: the daemon resolves them against its configuration
     * (groups, workers' names). A malformed one ({@code web:}, {@code :2}) is a usage error before anything is sent.
     */
    static List<String> targets(List<String> texts) {
        try {
            return Target.checkTexts(texts);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.USAGE, e.getMessage());
        }
    }

    /**
     * What the typed targets select, resolved by the daemon ({@code GET /v1/targets}); none typed selects nothing
     * (and asks nothing). An unknown target is a usage error with the daemon's message.
     */
    static TargetSelection resolve(ControlClient client, List<String> texts) {
        List<String> checked = targets(texts);
        if (checked.isEmpty()) {
            return TargetSelection.NONE;
        }
        return call(client, "GET", query("/v1/targets", checked), TargetSelection.class);
    }

    /**
     * Sends the request and reads the answer as a {@code type}; a 4xx/5xx answer becomes a {@link CliException}
     * with the daemon's message.
     */
    static <T> T call(ControlClient client, String method, String target, Class<T> type) {
        ControlClient.Response response;
        try {
            response = method.equals("GET") ? client.get(target) : client.post(target);
        } catch (IOException e) {
            throw unreachable(client, e);
        }
        if (response.status() >= 400) {
            throw new CliException(response.status() < 500 ? ExitCode.USAGE : ExitCode.FAILURE,
                    error(response.body()));
        }
        try {
            return Json.read(response.body(), type);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.FAILURE, "unexpected answer from the daemon: " + e.getMessage());
        }
    }

    /** Sends the request and hands each line of the answer to {@code lines}; answers the status code. */
    static int stream(ControlClient client, String method, String target, ControlClient.Lines lines) {
        try {
            return client.stream(method, target, lines);
        } catch (IOException e) {
            throw unreachable(client, e);
        }
    }

    /** Exit 4 with why: not running (and how to start it), permission denied (its own hint), or the I/O error. */
    private static CliException unreachable(ControlClient client, IOException e) {
        if (e instanceof ControlClient.UnreachableException) {
            return new CliException(ExitCode.UNREACHABLE, e.getMessage() + " (start it with: baton run)");
        }
        if (e instanceof ControlClient.DeniedException) {
            return new CliException(ExitCode.UNREACHABLE, e.getMessage());
        }
        return new CliException(ExitCode.UNREACHABLE, "control socket " + client.socket() + ": " + e.getMessage());
    }

    /** The message of an error answer ({@code {"error": "..."}}); an answer that is not one is shown as it came. */
    static String error(String body) {
        try {
            String error = Json.read(body, ErrorReply.class).error();
            if (error != null) {
                return error;
            }
        } catch (IllegalArgumentException e) {
            // not JSON: show it as it came
        }
        return "unexpected answer from the daemon: " + body.strip();
    }

    /** Prints {@code web:0: started} per worker; exit 1 when any failed. */
    static int printResults(Results body, PrintWriter out, PrintWriter err) {
        int code = ExitCode.OK;
        for (Results.WorkerResult r : body.results()) {
            (r.ok() ? out : err).println(r.worker() + ": " + r.message());
            if (!r.ok()) {
                code = ExitCode.FAILURE;
            }
        }
        out.flush();
        err.flush();
        return code;
    }
}
