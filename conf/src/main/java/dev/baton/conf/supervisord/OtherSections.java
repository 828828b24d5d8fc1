package dev.baton.conf.supervisord;

/** The note for a section that is neither {@code [supervisord]}, a program nor a group. */
final class OtherSections {

    private OtherSections() {
    }

    static SupervisordImport.Note note(IniSection section) {
        String message = switch (section.kind()) {
            case "eventlistener" -> "Baton has no event listener pools: [baton] event_command runs a command for"
                    + " each event with one JSON object on its standard input";
            case "fcgi-program" -> "Baton does not pass a FastCGI socket: make it a [program] that serves HTTP with"
                    + " listen, Baton's proxy owning the socket";
            case "inet_http_server" -> "Baton's control API is its unix socket ([baton] socket), and there is no"
                    + " web UI; for metrics over HTTP set [baton] metrics_listen";
            case "unix_http_server" -> "Baton's control socket is [baton] socket (default baton.sock next to"
                    + " baton.toml), mode 0600, or 0660 with [baton] socket_group";
            case "supervisorctl" -> "client settings of supervisorctl: baton's commands find the socket from"
                    + " baton.toml (-c FILE or -s SOCKET)";
            case "rpcinterface", "ctlplugin" -> "an XML-RPC plugin of supervisord";
            default -> "unknown to supervisord 4.2, which ignores it";
        };
        return new SupervisordImport.Note(section.name(), "", "not carried: " + message);
    }
}
