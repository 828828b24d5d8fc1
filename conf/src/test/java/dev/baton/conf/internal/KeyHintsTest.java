package dev.baton.conf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyHintsTest {

    private static final List<String> KEYS = List.of("command", "environment", "numprocs", "autostart",
            "stopsignal", "stdout_logfile_maxbytes", "stdout_logfile_backups", "stderr_logfile_maxbytes",
            "stderr_logfile_backups", "user");

    @Test
    void typoWithinTwoEditsIsMatched() {
        assertEquals(Optional.of("numprocs"), KeyHints.closest("numproc", KEYS));
        assertEquals(Optional.of("autostart"), KeyHints.closest("autostrat", KEYS));
        assertEquals(Optional.of("stopsignal"), KeyHints.closest("stop_signal", KEYS));
        assertEquals(Optional.of("user"), KeyHints.closest("usr", KEYS));
    }

    @Test
    void caseIsIgnored() {
        assertEquals(Optional.of("command"), KeyHints.closest("COMMAND", KEYS));
    }

    @Test
    void prefixEitherWayIsMatched() {
        assertEquals(Optional.of("program"), KeyHints.closest("programs", List.of("baton", "program")));
        assertEquals(Optional.of("environment"), KeyHints.closest("env", KEYS));
    }

    @Test
    void closestOfSeveralCandidatesWins() {
        assertEquals(Optional.of("stdout_logfile_backups"), KeyHints.closest("stdout_logfile_backup", KEYS));
        assertEquals(Optional.of("stderr_logfile_maxbytes"), KeyHints.closest("stderr_logfile_maxbyte", KEYS));
    }

    @Test
    void unrelatedOrTooShortKeysGetNoHint() {
        assertEquals(Optional.empty(), KeyHints.closest("frobnicate", KEYS));
        assertEquals(Optional.empty(), KeyHints.closest("st", KEYS));
    }

    @Test
    void levenshteinCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, KeyHints.levenshtein("abc", "abc"));
        assertEquals(3, KeyHints.levenshtein("", "abc"));
        assertEquals(3, KeyHints.levenshtein("kitten", "sitting"));
    }
}
