package dev.baton.supervisor.control;

/**
 * The answer to {@code GET /ready} or {@code GET /live}: one line of plain text for a load balancer's or a
 * probe's log ({@code ready}, {@code not ready: web has no ready worker}) and the status it goes with. Written as
 * text, not JSON: a health check reads only the status.
 */
public record ProbeReply(Result result, String text) {

    /** The verdict, and its HTTP status. */
    public enum Result {
        /** 200: ready (or live). */
        OK(200),
        /** 503: not ready (or not live); {@code text} says why. */
        UNAVAILABLE(503),
        /** 404: {@code /ready?program=} names no program. */
        UNKNOWN(404);

        public final int status;

        Result(int status) {
            this.status = status;
        }
    }

    public static ProbeReply ok(String text) {
        return new ProbeReply(Result.OK, text);
    }

    public static ProbeReply unavailable(String text) {
        return new ProbeReply(Result.UNAVAILABLE, text);
    }

    public static ProbeReply unknown(String text) {
        return new ProbeReply(Result.UNKNOWN, text);
    }
}
