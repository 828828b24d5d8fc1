package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvExpanderTest {

    private final EnvExpander expander = new EnvExpander(Map.of("HOME", "/home/app", "EMPTY", "", "A_1", "x"));
    private final List<String> problems = new ArrayList<>();

    private String expand(String text) {
        return expander.expand(text, problems::add);
    }

    @Test
    void variablesExpandFromTheGivenEnvironment() {
        assertEquals("/home/app/bin:x:", expand("${HOME}/bin:${A_1}:${EMPTY}"));
        assertEquals(List.of(), problems);
    }

    @Test
    void doubleDollarIsALiteralDollar() {
        assertEquals("$HOME ${HOME} $", expand("$$HOME $${HOME} $$"));
        assertEquals(List.of(), problems);
    }

    @Test
    void loneDollarAndPlainBracesStayAsTheyAre() {
        assertEquals("$HOME {port} {worker} {x} $ a$", expand("$HOME {port} {worker} {x} $ a$"));
        assertEquals(List.of(), problems);
    }

    @Test
    void everyUnsetVariableIsReported() {
        assertEquals("a--b", expand("a-${FOO}-${BAR}b"));
        assertEquals(List.of("environment variable FOO is not set", "environment variable BAR is not set"),
                problems);
    }

    @Test
    void invalidNameIsReported() {
        expand("${1X} ${} ${A-B}");
        assertEquals(List.of("invalid variable name \"${1X}\"", "invalid variable name \"${}\"",
                "invalid variable name \"${A-B}\""), problems);
    }

    @Test
    void unclosedReferenceIsReported() {
        assertEquals("a ", expand("a ${HOME"));
        assertEquals(List.of("unclosed \"${\""), problems);
    }
}
