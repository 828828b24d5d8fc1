package dev.baton.supervisor.cli;

import dev.baton.supervisor.control.ControlClient;
import dev.baton.supervisor.control.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Sending a control request and turning the answer into output and an exit code. */
final class Requests {

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

    /** Sends the request; a 4xx/5xx answer becomes a {@link CliException} with the daemon's message. */
    static Object call(ControlClient client, String method, String target) {
        ControlClient.Response response;
        try {
            response = method.equals("GET") ? client.get(target) : client.post(target);
        } catch (ControlClient.UnreachableException e) {
            throw new CliException(ExitCode.UNREACHABLE, e.getMessage() + " (start it with: baton run)");
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "control socket " + client.socket() + ": " + e.getMessage());
        }
        Object body;
        try {
            body = Json.parse(response.body());
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCode.FAILURE, "unexpected answer from the daemon: " + response.body());
        }
        if (response.status() >= 400) {
            Object error = body instanceof Map<?, ?> m ? m.get("error") : body;
            throw new CliException(response.status() < 500 ? ExitCode.USAGE : ExitCode.FAILURE, String.valueOf(error));
        }
        return body;
    }

    /** Prints {@code web:0: started} per worker; exit 1 when any failed. */
    static int printResults(Object body, PrintWriter out, PrintWriter err) {
        int code = ExitCode.OK;
        Object results = body instanceof Map<?, ?> m ? m.get("results") : null;
        if (results instanceof List<?> list) {
            for (Object item : list) {
                Map<?, ?> r = (Map<?, ?>) item;
                boolean ok = Boolean.TRUE.equals(r.get("ok"));
                (ok ? out : err).println(r.get("worker") + ": " + r.get("message"));
                if (!ok) {
                    code = ExitCode.FAILURE;
                }
            }
        }
        out.flush();
        err.flush();
        return code;
    }
}
