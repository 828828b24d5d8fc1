package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSplitterTest {

    private static List<String> split(String command) {
        return CommandSplitter.split(command);
    }

    @Test
    void blanksSeparateWordsAndRunsOfBlanksCountOnce() {
        assertEquals(List.of("python3", "-m", "http.server", "8000"), split("  python3 -m\thttp.server \n 8000 \r\n"));
    }

    @Test
    void emptyOrBlankTextHasNoWords() {
        assertEquals(List.of(), split(""));
        assertEquals(List.of(), split(" \t\n"));
    }

    @Test
    void singleQuotesKeepEverythingLiterally() {
        assertEquals(List.of("echo", "a \"b\" \\n $HOME"), split("echo 'a \"b\" \\n $HOME'"));
    }

    @Test
    void doubleQuotesKeepBlanksAndUnescapeOnlyQuoteAndBackslash() {
        assertEquals(List.of("say", "he said \"hi\" \\ \\n $x"), split("say \"he said \\\"hi\\\" \\\\ \\n $x\""));
    }

    @Test
    void backslashOutsideQuotesKeepsTheNextCharacter() {
        assertEquals(List.of("a b", "'", "\"", "\\", "n"), split("a\\ b \\' \\\" \\\\ \\n"));
    }

    @Test
    void quotedPartsJoinAdjacentText() {
        assertEquals(List.of("--name=hello world", "abcd"), split("--name='hello world' a\"b\"'c'd"));
    }

    @Test
    void emptyQuotesMakeAnEmptyWord() {
        assertEquals(List.of("prog", "", ""), split("prog '' \"\""));
    }

    @Test
    void backslashNewlineContinuesTheLine() {
        assertEquals(List.of("run", "--fast", "ab"), split("run \\\n  --fast a\\\nb"));
        assertEquals(List.of("xy"), split("\"x\\\ny\""));
    }

    @Test
    void hashIsNotAComment() {
        assertEquals(List.of("echo", "#1", "a#b"), split("echo #1 a#b"));
    }

    @Test
    void placeholdersAndShellCharactersAreOrdinaryText() {
        assertEquals(List.of("app", "--port={port}", "|", "grep", ">out", "*.py"),
                split("app --port={port} | grep >out *.py"));
    }

    @Test
    void unbalancedSingleQuoteIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> split("echo 'it"));
        assertEquals("unbalanced single quote", e.getMessage());
    }

    @Test
    void unbalancedDoubleQuoteIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> split("echo \"a\\\""));
        assertEquals("unbalanced double quote", e.getMessage());
    }

    @Test
    void trailingBackslashIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> split("echo \\"));
        assertEquals("ends with a lone backslash", e.getMessage());
    }
}
