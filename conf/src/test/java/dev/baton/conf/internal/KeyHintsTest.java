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
    void numprocsStartIsAKeyOfItsOwnNotAMisspeltNumprocs() {
        assertEquals(Optional.of("numprocs_start"), KeyHints.closest("numproc_start", ProgramReader.KEYS));
        assertEquals(Optional.of("numprocs_start"), KeyHints.closest("numprocs_strat", ProgramReader.KEYS));
        assertEquals(Optional.of("numprocs"), KeyHints.closest("numproc", ProgramReader.KEYS));
    }

    @Test
    void supervisordKeysGetTheirNoteNotADistanceGuess() {
        for (String key : KeyHints.SUPERVISORD_PROGRAM_KEYS.keySet()) {
            assertEquals(false, ProgramReader.KEYS.contains(key), key);
            assertEquals(true, KeyHints.SUPERVISORD_PROGRAM_KEYS.get(key).startsWith("supervisord key; "), key);
        }
    }

    @Test
    void aSupervisordHeaderIsFoundOnItsLine() {
        assertEquals(Optional.of(3), KeyHints.supervisordHeader("; x\r\n\r\n[program:web]\ncommand=x\n"));
        assertEquals(Optional.of(1), KeyHints.supervisordHeader("[supervisord]\nnodaemon=true\n"));
        assertEquals(Optional.of(2), KeyHints.supervisordHeader("\n  [group:app]\n"));
        assertEquals(Optional.empty(), KeyHints.supervisordHeader("[program.web]\ncommand = \"[program:x]\"\n"));
    }

    @Test
    void levenshteinCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, KeyHints.levenshtein("abc", "abc"));
        assertEquals(3, KeyHints.levenshtein("", "abc"));
        assertEquals(3, KeyHints.levenshtein("kitten", "sitting"));
    }
}
