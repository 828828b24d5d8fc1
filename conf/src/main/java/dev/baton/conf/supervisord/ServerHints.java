package dev.baton.conf.supervisord;

import dev.baton.conf.Placeholders;
import dev.baton.conf.internal.CommandSplitter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A commented hint for a command that runs an HTTP server bound to an address of its own (gunicorn
 * {@code --bind}, uvicorn {@code --port}, waitress {@code --listen}...): how Baton's proxy could own that address
 * and the workers bind where Baton says. Only a comment: the command is never changed.
 */
final class ServerHints {

    /** A server found in a command: its name, the address it binds, the options that bind it the Baton way. */
    private record Server(String name, String address, String batonOptions) {
    }

    private static final List<String> SERVERS = List.of("gunicorn", "uvicorn", "hypercorn", "waitress-serve",
            "waitress", "daphne");

    private ServerHints() {
    }

    /** The comment lines for {@code command} (a Baton command template), none when it runs no known server. */
    static List<String> hint(String command, int firstWorker) {
        List<String> words;
        try {
            words = CommandSplitter.split(command);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String base = word.substring(word.lastIndexOf('/') + 1);
            boolean module = word.equals("-m") && i + 1 < words.size() && SERVERS.contains(words.get(i + 1));
            if (SERVERS.contains(base) || module) {
                String name = module ? words.get(i + 1) : base;
                Optional<Server> server = server(name.startsWith("waitress") ? "waitress" : name,
                        words.subList(i + 1, words.size()));
                if (server.isPresent()) {
                    return lines(server.get(), firstWorker);
                }
            }
        }
        return List.of();
    }

    private static List<String> lines(Server server, int firstWorker) {
        String listen = Placeholders.expand(server.address(), Map.of("worker", firstWorker));
        return List.of("Hint: " + server.name() + " binds " + server.address() + " itself. Baton's proxy can own"
                        + " the address instead",
                "(zero-downtime reload, health checks): bind each worker where Baton says, with",
                server.batonOptions() + " in command, and uncomment:",
                "listen = " + TomlTable.string(listen));
    }

    private static Optional<Server> server(String name, List<String> args) {
        String host = null;
        String port = null;
        String bind = null;
        String unix = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String next = i + 1 < args.size() ? args.get(i + 1) : null;
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : next;
            if (arg.startsWith("-b") && arg.length() > 2 && !arg.startsWith("--")) {
                option = "-b";
                value = arg.substring(2);
            }
            switch (option) {
                case "-b", "--bind", "--listen" -> bind = value;
                case "--host" -> host = value;
                case "-p", "--port" -> port = value;
                case "--uds", "-u", "--unix-socket" -> unix = value;
                default -> {
                    continue;
                }
            }
            if (!arg.contains("=") && option.equals(arg)) {
                i++;
            }
        }
        if (unix != null) {
            String flag = name.equals("uvicorn") ? "--uds" : name.equals("daphne") ? "-u" : "--unix-socket";
            return Optional.of(new Server(name, "unix:" + unix, flag + " {socket}"));
        }
        if (bind != null && name.equals("daphne")) {
            host = bind;
            bind = null;
        }
        if (bind != null) {
            String batonBind = bind.startsWith("unix:") ? "unix:{socket}" : "127.0.0.1:{port}";
            String flag = name.equals("waitress") ? "--listen=" : "--bind ";
            return Optional.of(new Server(name, bind, flag + batonBind));
        }
        if (port != null) {
            String address = (host == null ? "127.0.0.1" : host) + ":" + port;
            String options = name.equals("waitress") ? "--host=127.0.0.1 --port={port}"
                    : name.equals("daphne") ? "-b 127.0.0.1 -p {port}" : "--host 127.0.0.1 --port {port}";
            return Optional.of(new Server(name, address, options));
        }
        return Optional.empty();
    }
}
