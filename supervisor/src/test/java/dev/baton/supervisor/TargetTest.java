package dev.baton.supervisor;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetTest {

    @Test
    void allAProgramAndAWorkerParseToTheirKind() {
        Target all = Target.parse("all");
        Target program = Target.parse("web");
        Target worker = Target.parse("web:2");
        assertSame(Target.ALL, all);
        assertTrue(all.isAll() && !all.isProgram() && !all.isWorker());
        assertTrue(!program.isAll() && program.isProgram() && !program.isWorker());
        assertTrue(!worker.isAll() && !worker.isProgram() && worker.isWorker());
        assertEquals(new Target("web", Target.ANY), program);
        assertEquals(new Target("web", 2), worker);
    }

    @Test
    void starMeansEveryWorkerOfTheProgram() {
        assertEquals(Target.parse("web"), Target.parse("web:*"));
        assertEquals(Target.program("api.v2"), Target.parse("api.v2:*"));
    }

    @Test
    void textIsCanonicalAndParsesBackToTheSameTarget() {
        for (String text : List.of("all", "web", "web:0", "web:12", "my-app_2.v1", "all:*", "all:3")) {
            assertEquals(text, Target.parse(text).toString(), text);
            assertEquals(Target.parse(text), Target.parse(Target.parse(text).toString()), text);
        }
        assertEquals("web", Target.parse("web:*").toString());
    }

    @Test
    void aProgramNamedAllIsNotAll() {
        Target program = Target.parse("all:*");
        assertTrue(program.isProgram());
        assertFalse(program.matches("web", 0));
        assertTrue(program.matches("all", 0));
    }

    @Test
    void malformedTargetsAreRejectedWithAOneLineMessage() {
        for (String bad : List.of("", ":", ":2", "web:", "web:x", "web:-1", "web:+1", "web:1:2", "web:**",
                "web:99999999999")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid target \"" + bad + "\": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        assertEquals("invalid target \"web:x\": after ':' comes a worker index (web:0) or * (web:*)"
                + " (use all, NAME, NAME:* or NAME:N)", assertThrows(IllegalArgumentException.class,
                () -> Target.parse("web:x")).getMessage());
        assertEquals("invalid target \"\": empty (use all, NAME, NAME:* or NAME:N)",
                assertThrows(IllegalArgumentException.class, () -> Target.parse("")).getMessage());
    }

    @Test
    void matchesSelectsWorkersByProgramAndIndex() {
        Target web = Target.parse("web");
        Target web2 = Target.parse("web:2");
        assertAll(
                () -> assertTrue(Target.ALL.matches("anything", 7)),
                () -> assertTrue(web.matches("web", 0)),
                () -> assertTrue(web.matches("web", 5)),
                () -> assertFalse(web.matches("webapp", 0)),
                () -> assertFalse(web.matches("api", 0)),
                () -> assertTrue(web2.matches("web", 2)),
                () -> assertFalse(web2.matches("web", 1)),
                () -> assertFalse(web2.matches("api", 2)));
    }

    @Test
    void matchesSourceSelectsLogLinesAndOnlyAllSelectsBaton() {
        Target web = Target.parse("web");
        Target web2 = Target.parse("web:2");
        assertAll(
                () -> assertTrue(Target.ALL.matchesSource("web:0")),
                () -> assertTrue(Target.ALL.matchesSource("baton")),
                () -> assertTrue(web.matchesSource("web:0")),
                () -> assertTrue(web.matchesSource("web:12")),
                () -> assertFalse(web.matchesSource("webapp:0")),
                () -> assertFalse(web.matchesSource("web")),
                () -> assertFalse(web.matchesSource("baton")),
                () -> assertTrue(web2.matchesSource("web:2")),
                () -> assertFalse(web2.matchesSource("web:20")),
                () -> assertFalse(web2.matchesSource("web:1")),
                () -> assertFalse(Target.parse("baton").matchesSource("baton")));
    }

    @Test
    void parseAllKeepsTheOrderAndFailsOnTheFirstBadOne() {
        assertEquals(List.of(Target.program("web"), new Target("api", 1), Target.ALL),
                Target.parseAll(List.of("web:*", "api:1", "all")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Target.parseAll(List.of("web", "api:x", "")));
        assertTrue(e.getMessage().startsWith("invalid target \"api:x\""), e.getMessage());
    }

    @Test
    void theConstructorRefusesWhatParseCouldNotProduce() {
        assertThrows(IllegalArgumentException.class, () -> new Target(null, 1));
        assertThrows(IllegalArgumentException.class, () -> new Target("", Target.ANY));
        assertThrows(IllegalArgumentException.class, () -> new Target("a:b", 0));
        assertThrows(IllegalArgumentException.class, () -> new Target("web", -2));
    }
}
