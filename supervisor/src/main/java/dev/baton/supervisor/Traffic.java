package dev.baton.supervisor;

/**
 * What the supervisor needs to know of the proxy in front of a program, for reloads: whether requests reach its
 * workers through Baton (then a new worker is ready once its health check passes, and an old one drains before
 * it is stopped), and how many requests a worker is serving now.
 */
public interface Traffic {

    /** No proxy at all: every program is ready when RUNNING and stops at once. */
    Traffic NONE = new Traffic() {
        @Override
        public boolean proxied(String program) {
            return false;
        }

        @Override
        public int inflight(Worker w) {
            return 0;
        }
    };

    boolean proxied(String program);

    int inflight(Worker w);
}
