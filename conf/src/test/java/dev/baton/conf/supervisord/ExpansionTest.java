package dev.baton.conf.supervisord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expected values were computed with Python 3.11's {@code %} operator. */
class ExpansionTest {

    private static final Map<String, Object> NAMES = Map.of("n", 5, "seven", 7, "big", 255, "s", "it's",
            "abc", "abc", "process_num", Expansion.PROCESS_NUM);

    private static String expand(String text) throws ImportException {
        return Expansion.expand(text, NAMES, "f:1: [program:x] command");
    }

    private static String template(String text) throws ImportException {
        return WorkerMarks.template(expand(text), s -> s, problem -> { });
    }

    @Test
    void flagsWidthPrecisionAndConversionsFormatAsPythonDoes() throws ImportException {
        assertEquals("00005", expand("%(n)05.3d"));
        assertEquals("7   |", expand("%(seven)-4d|"));
        assertEquals("\"it's\"", expand("%(s)r"));
        assertEquals("ab", expand("%(abc).2s"));
        assertEquals("0xff 0XFF 0o377", expand("%(big)#x %(big)#X %(big)#o"));
        assertEquals("+5  5", expand("%(n)+d %(n) 2d"));
        assertEquals("100% (a(b)c)", expand("100%% (a(b)c)"));
        assertEquals("'abc'", expand("%(abc)r"));
    }

    @Test
    void processNumBecomesBatonsWorkerPlaceholder() throws ImportException {
        assertEquals("web_{worker:02}", template("web_%(process_num)02d"));
        assertEquals("{worker} {worker} {worker:3} {worker:03}",
                template("%(process_num)d %(process_num)s %(process_num)3d %(process_num).3d"));
        List<String> problems = new ArrayList<>();
        assertEquals("{worker}", WorkerMarks.template(expand("%(process_num)x"), s -> s, problems::add));
        assertEquals(1, problems.size());
        assertEquals("port 8003", WorkerMarks.concrete(expand("port 80%(process_num)02d"), 3));
    }

    @Test
    void anUnknownNameListsTheAvailableOnes() {
        ImportException e = assertThrows(ImportException.class, () -> expand("run %(prog)s"));
        assertEquals("f:1: [program:x] command: %(prog)s cannot be expanded; available names: abc, big, n,"
                + " process_num, s, seven and ENV_X for each environment variable X", e.getMessage());
        ImportException env = assertThrows(ImportException.class, () -> expand("%(ENV_NOPE)s"));
        assertTrue(env.getMessage().contains("NOPE is not set"), env.getMessage());
    }

    @Test
    void badFormatsAreRefusedAsPythonWould() {
        assertTrue(assertThrows(ImportException.class, () -> expand("50%")).getMessage()
                .endsWith("incomplete format"));
        assertTrue(assertThrows(ImportException.class, () -> expand("%(n")).getMessage()
                .endsWith("incomplete format key"));
        assertTrue(assertThrows(ImportException.class, () -> expand("%(n)z")).getMessage()
                .endsWith("unsupported format character 'z' (0x7a) at index 4"));
        assertTrue(assertThrows(ImportException.class, () -> expand("%(s)d")).getMessage()
                .endsWith("%d format: a real number is required, not str"));
        assertTrue(assertThrows(ImportException.class, () -> expand("echo %s")).getMessage()
                .contains("%s has no name"));
    }
}
