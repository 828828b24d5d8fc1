package dev.baton.proxy.internal;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/** Short, operator-facing descriptions of network failures. */
final class Errors {

    private Errors() {
    }

    static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (root instanceof ClosedChannelException) {
            return "connection closed";
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        message = message.replaceFirst("^[a-zA-Z]+\\(\\.\\.\\) failed( with error\\(-?\\d+\\))?: ", "");
        if (root instanceof ConnectException && message.toLowerCase(Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        return message.toLowerCase(Locale.ROOT).replaceFirst(": /?[0-9a-f.:\\[\\]]+$", "");
    }
}
