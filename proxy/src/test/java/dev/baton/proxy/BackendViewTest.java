package dev.baton.proxy;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A backend's identity: worker id, generation and incarnation. */
class BackendViewTest {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 1);

    @Test
    void aKeyShowsItsIncarnationOnlyWhenItIsNotTheFirst() {
        assertEquals("web:2@3", new BackendView("web:2", 3, ADDRESS, BackendView.Role.SERVING).key().toString());
        assertEquals("web:2@3.1", new BackendView("web:2", 3, 1, ADDRESS, BackendView.Role.SERVING, null).key()
                .toString());
    }

    @Test
    void anotherIncarnationOfTheSameWorkerAndGenerationIsAnotherBackend() {
        BackendView first = new BackendView("web:2", 3, ADDRESS, BackendView.Role.SERVING);
        BackendView second = new BackendView("web:2", 3, 1, ADDRESS, BackendView.Role.SERVING, null);
        assertEquals(0, first.incarnation());
        assertNotEquals(first.key(), second.key());
        assertEquals(new BackendView.Key("web:2", 3, 1), second.key());
    }

    @Test
    void withDefaultKeepsTheIncarnation() {
        ProxySettings settings = ProxySettings.builder("web").build();
        BackendView v = new BackendView("web:2", 3, 2, ADDRESS, BackendView.Role.CANARY, null).withDefault(settings);
        assertEquals(new BackendView("web:2", 3, 2, ADDRESS, BackendView.Role.CANARY, settings), v);
    }

    @Test
    void aNegativeIncarnationIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new BackendView("web:2", 3, -1, ADDRESS, BackendView.Role.SERVING, null));
    }
}
