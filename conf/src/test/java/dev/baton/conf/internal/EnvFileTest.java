package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment files read as systemd's EnvironmentFile= reads them (systemd.exec(5)). */
class EnvFileTest {

    private static Map<String, String> vars(String text) {
        EnvFile.Result result = EnvFile.parse(text);
        assertEquals(List.of(), result.problems());
        return result.variables();
    }

    private static List<EnvFile.LineProblem> problems(String text) {
        return EnvFile.parse(text).problems();
    }

    @Test
    void keyValueLinesCommentsAndBlankLines() {
        assertEquals(Map.of("A", "1", "B", "two words", "EMPTY", ""),
                vars("# a comment\n; another\n\nA=1\n  B = two words  \n\t\nEMPTY=\n  # indented comment\n"));
    }

    @Test
    void aHashInsideAValueIsNotAComment() {
        assertEquals(Map.of("URL", "http://x/#frag", "C", "a ; b"), vars("URL=http://x/#frag\nC=a ; b"));
    }

    @Test
    void unquotedBackslashKeepsTheNextCharacterAndContinuesLines() {
        assertEquals(Map.of("A", "a\\b", "B", "x y", "C", "one two", "D", "kept "),
                vars("A=a\\\\b\nB=x\\ y\nC=one \\\ntwo\nD=kept\\ \n"));
    }

    @Test
    void quotesInsideAnUnquotedValueAreKept() {
        assertEquals(Map.of("A", "it's \"fine\""), vars("A=it's \"fine\""));
    }

    @Test
    void singleQuotesAreVerbatimAndSpanLines() {
        assertEquals(Map.of("A", "  a \\n $HOME \"x\"  ", "B", "line1\nline2"),
                vars("A='  a \\n $HOME \"x\"  '\nB='line1\nline2'\n"));
    }

    @Test
    void doubleQuotesUnescapeOnlyShellSpecialsAndContinueLines() {
        assertEquals(Map.of("A", "say \"hi\" \\ ` $ \\n \\t", "B", "joined", "C", "two\nlines"),
                vars("A=\"say \\\"hi\\\" \\\\ \\` \\$ \\n \\t\"\nB=\"join\\\ned\"\nC=\"two\nlines\""));
    }

    @Test
    void adjacentQuotedAndUnquotedPiecesFormOneValue() {
        assertEquals(Map.of("A", "xy", "B", "ab", "C", "a b"), vars("A=\"x\"y\nB='a'  \"b\"\nC=  \"a b\"  "));
    }

    @Test
    void crlfLineEndingsAndAByteOrderMarkAreHandled() {
        assertEquals(Map.of("A", "1", "B", "2"), vars("\uFEFFA=1\r\nB=2\r\n"));
    }

    @Test
    void aLaterAssignmentWins() {
        assertEquals(Map.of("A", "2"), vars("A=1\nA=2"));
    }

    @Test
    void dollarReferencesAreNotExpanded() {
        assertEquals(Map.of("A", "${HOME}/x $USER"), vars("A=${HOME}/x $USER"));
    }

    @Test
    void badLinesAreReportedWithTheirLineNumbers() {
        assertEquals(List.of(
                new EnvFile.LineProblem(2, "expected KEY=VALUE, found \"oops\""),
                new EnvFile.LineProblem(3, "\"export\" is not supported (as systemd): write A=..."),
                new EnvFile.LineProblem(4, "invalid variable name \"1X\": use letters, digits and \"_\","
                        + " not starting with a digit"),
                new EnvFile.LineProblem(7, "invalid variable name \"MY-VAR\": use letters, digits and \"_\","
                        + " not starting with a digit")),
                problems("OK=1\noops\nexport A=1\n1X=2\nB='multi\nline'\nMY-VAR=3\n"));
    }

    @Test
    void anUnclosedQuoteIsReportedWhereItOpens() {
        assertEquals(List.of(new EnvFile.LineProblem(2, "unclosed double quote")),
                problems("A=1\nB=\"never\nclosed\n"));
        assertEquals(List.of(new EnvFile.LineProblem(1, "unclosed single quote")), problems("A='x"));
    }
}
