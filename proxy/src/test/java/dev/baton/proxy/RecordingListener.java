package dev.baton.proxy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what the proxy tells the supervisor, as "ready web:0@2", "drained web:0@1", "ejected web:0@1.1" and
 * "readmitted web:0@1.1" (the backend's key), with the time.
 */
public final class RecordingListener implements BackendListener {

    /** One event and when it arrived ({@link System#nanoTime()}). */
    public record Event(String text, long nanos) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void ready(BackendView.Key key) {
        events.add(new Event("ready " + key, System.nanoTime()));
    }

    @Override
    public void drained(BackendView.Key key) {
        events.add(new Event("drained " + key, System.nanoTime()));
    }

    @Override
    public void health(BackendView.Key key, boolean routable) {
        events.add(new Event((routable ? "readmitted " : "ejected ") + key, System.nanoTime()));
    }

    /** The events so far, in order. */
    public List<String> texts() {
        return events.stream().map(Event::text).toList();
    }

    /** How many times {@code text} was heard. */
    public long count(String text) {
        return events.stream().filter(e -> e.text().equals(text)).count();
    }

    /** When {@code text} was first heard, or -1. */
    public long nanos(String text) {
        return events.stream().filter(e -> e.text().equals(text)).mapToLong(Event::nanos).findFirst().orElse(-1);
    }
}
