package dev.baton.proxy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProgramViewTest {

    private static final ProxySettings SETTINGS = ProxySettings.builder("web").build();

    @Test
    void aViewWithoutACanaryWeightHasWeight0() {
        assertEquals(0, new ProgramView(SETTINGS, List.of(), Optional.empty()).canaryWeight());
    }

    @Test
    void theCanaryWeightIsAPercent() {
        assertEquals(100, new ProgramView(SETTINGS, List.of(), Optional.empty(), 100).canaryWeight());
        assertThrows(IllegalArgumentException.class, () -> new ProgramView(SETTINGS, List.of(), Optional.empty(), -1));
        assertThrows(IllegalArgumentException.class, () -> new ProgramView(SETTINGS, List.of(), Optional.empty(), 101));
    }
}
