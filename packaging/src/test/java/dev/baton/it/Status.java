package dev.baton.it;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What {@code baton status --json} answered, with its exit code. */
record Status(int exit, long daemonPid, List<Worker> workers, String json) {

    /** One entry of {@code workers}. */
    record Worker(String name, String program, int index, int generation, String state, long pid, long restarts,
                  int port, String reason, boolean held, int recycled, String lastRecycle) {

        boolean running() {
            return state.equals("RUNNING");
        }

        static Worker of(Map<?, ?> w) {
            Map<?, ?> recycling = (Map<?, ?>) w.get("recycling");
            return new Worker((String) w.get("name"), (String) w.get("program"), num(w, "index").intValue(),
                    num(w, "generation").intValue(), (String) w.get("state"), num(w, "pid").longValue(),
                    num(w, "restarts").longValue(), num(w, "port").intValue(), (String) w.get("reason"),
                    Boolean.TRUE.equals(w.get("held")), recycling == null ? 0 : num(recycling, "count").intValue(),
                    recycling == null ? "" : (String) recycling.get("last"));
        }

        private static Number num(Map<?, ?> w, String key) {
            return (Number) w.get(key);
        }
    }

    static Status parse(Cli.Result result) {
        Map<String, Object> body = Json.object(result.out());
        Map<?, ?> daemon = (Map<?, ?>) body.get("daemon");
        List<Worker> workers = ((List<?>) body.get("workers")).stream()
                .map(w -> Worker.of((Map<?, ?>) w)).toList();
        return new Status(result.exit(), ((Number) daemon.get("pid")).longValue(), workers, result.out().strip());
    }

    /** The worker named {@code name} (web:0); fails when there is none. */
    Worker worker(String name) {
        return workers.stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + name + " in status: " + json));
    }

    List<Worker> program(String program) {
        return workers.stream().filter(w -> w.program().equals(program)).toList();
    }

    /** The workers of {@code program} in {@code generation}: during a reload a program shows two generations. */
    List<Worker> program(String program, int generation) {
        return program(program).stream().filter(w -> w.generation() == generation).toList();
    }

    /** The generations {@code program}'s workers belong to, ascending and each once. */
    List<Integer> generations(String program) {
        return program(program).stream().map(Worker::generation).distinct().sorted().toList();
    }

    /** The pids of {@code program}'s workers that have a process, ascending. */
    List<Long> pids(String program) {
        return program(program).stream().map(Worker::pid).filter(pid -> pid > 0).sorted().toList();
    }

    boolean allRunning() {
        return !workers.isEmpty() && workers.stream().allMatch(Worker::running);
    }

    /** True when every worker of {@code program} is RUNNING, and there are {@code count} of them. */
    boolean running(String program, int count) {
        List<Worker> ws = program(program);
        return ws.size() == count && ws.stream().allMatch(Worker::running);
    }

    @Override
    public String toString() {
        return "exit " + exit + ": " + workers.stream()
                .map(w -> w.name() + " gen " + w.generation() + " " + w.state() + " pid " + w.pid()
                        + " restarts " + w.restarts()
                        + (w.reason().isEmpty() ? "" : " (" + w.reason() + ")"))
                .collect(Collectors.joining("; "));
    }
}
