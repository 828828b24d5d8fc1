package dev.baton.conf.supervisord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expected values were checked against Python 3.11's configparser as supervisord 4.2 configures it. */
class IniFileTest {

    private static final Path FILE = Path.of("/etc/supervisor/supervisord.conf");

    private static Map<String, IniSection> read(String text) throws ImportException {
        Map<String, IniSection> sections = new LinkedHashMap<>();
        IniFile.read(FILE, text, sections);
        return sections;
    }

    private static Map<String, String> values(IniSection section) {
        Map<String, String> values = new LinkedHashMap<>();
        section.options().forEach((key, entry) -> values.put(key, entry.value()));
        return values;
    }

    @Test
    void commentsContinuationsDelimitersAndRepeatedSectionsFollowPython() throws ImportException {
        Map<String, IniSection> sections = read("""
                [Prog]
                K=a;b;c ;d #e
                Colon : x = y
                multi = first

                   second ; c
                  third
                ; full comment
                [Prog]
                k2=v2
                [a] trailing text
                x=1
                """);
        assertEquals(List.of("Prog", "a"), List.copyOf(sections.keySet()));
        // Python looks for the first ";" and "#" (neither after a blank), then the second ones: " #e" wins
        assertEquals(Map.of("k", "a;b;c ;d", "colon", "x = y", "multi", "first\n\nsecond\nthird", "k2", "v2"),
                values(sections.get("Prog")));
        assertEquals(Map.of("x", "1"), values(sections.get("a")));
        assertEquals(3, sections.get("Prog").get("colon").orElseThrow().line());
        assertEquals(10, sections.get("Prog").get("k2").orElseThrow().line());
        assertEquals(1, sections.get("Prog").line());
    }

    @Test
    void aLineThatIsNoOptionIsASyntaxErrorWithItsLine() {
        ImportException e = assertThrows(ImportException.class, () -> read("[a]\nx=1\nnot an option\ny=2\n"));
        assertEquals(FILE + ":3: \"not an option\" is neither a [section] header, a \"key = value\" line nor a"
                + " continuation (indented deeper than its key)", e.getMessage());
    }

    @Test
    void anOptionBeforeAnySectionIsAnError() {
        ImportException e = assertThrows(ImportException.class, () -> read("; header\n\nx = 1\n[a]\n"));
        assertEquals(FILE + ":3: \"x = 1\" comes before any [section] header", e.getMessage());
    }

    @Test
    void anIndentedHeaderContinuesTheValueBeforeIt() throws ImportException {
        Map<String, IniSection> sections = read("[a]\ncommand=run\n  [b]\nx=1\n");
        assertEquals(Map.of("command", "run\n[b]", "x", "1"), values(sections.get("a")));
    }
}
