package dev.baton.supervisor.daemon;

import dev.baton.conf.ListenAddress;
import dev.baton.proxy.Listener;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reload (or the start) must do with listen addresses before anything else happens, program by program:
 * the addresses to bind anew, those to take over from a program the reload removes, and the programs refused
 * outright (an address another program keeps serving). Planned on the supervisor loop; {@link #bind} runs on the
 * reload thread (binding blocks); the result goes back to the loop.
 *
 * @param toBind   per program, the addresses it serves after the reload that nothing serves now
 * @param takeOver per program, addresses it takes from a program that this reload removes (address: that program)
 * @param refused  per program, why its reload cannot start (one line)
 */
record ListenPlan(Map<String, List<ListenAddress>> toBind, Map<String, Map<ListenAddress, String>> takeOver,
                  Map<String, String> refused) {

    /** Binds one address; blocks. */
    interface Binder {
        Listener bind(ListenAddress address) throws IOException;
    }

    /**
     * The plan carried out: the listeners bound per program, and the programs refused (by the plan, or because an
     * address could not be bound: then none of that program's new listeners is kept).
     */
    record Bound(Map<String, Map<ListenAddress, Listener>> listeners, Map<String, Map<ListenAddress, String>> takeOver,
                 Map<String, String> refused) {

        /** Closes every listener bound for the plan: it is not applied after all. */
        void closeAll() {
            listeners.values().forEach(m -> m.values().forEach(Listener::close));
        }
    }

    /** Binds every address of the plan, program by program. Reload thread (or main thread at start). */
    Bound bind(Binder binder) {
        Map<String, Map<ListenAddress, Listener>> bound = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>(refused);
        for (Map.Entry<String, List<ListenAddress>> e : toBind.entrySet()) {
            if (failed.containsKey(e.getKey())) {
                continue;
            }
            Map<ListenAddress, Listener> mine = new LinkedHashMap<>();
            try {
                for (ListenAddress address : e.getValue()) {
                    mine.put(address, binder.bind(address));
                }
                bound.put(e.getKey(), mine);
            } catch (IOException ex) {
                mine.values().forEach(Listener::close);
                failed.put(e.getKey(), ex.getMessage());
            }
        }
        Map<String, Map<ListenAddress, String>> moves = new LinkedHashMap<>(takeOver);
        failed.keySet().forEach(moves::remove);
        return new Bound(bound, moves, failed);
    }
}
