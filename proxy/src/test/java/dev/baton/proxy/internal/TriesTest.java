package dev.baton.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The retry rule for a try that failed before any response byte, and the budget of tries. */
class TriesTest {

    @Test
    void aRequestNoByteOfWhichReachedTheWorkerGoesAgainWhateverItsMethod() {
        assertEquals(Tries.Again.UNCOUNTED, Tries.again(false, false, true, false));
        assertEquals(Tries.Again.UNCOUNTED, Tries.again(false, false, true, true));
    }

    @Test
    void aRequestThatMayHaveReachedTheWorkerGoesAgainOnlyWhenIdempotent() {
        assertEquals(Tries.Again.COUNTED, Tries.again(true, false, true, true));
        assertEquals(Tries.Again.NEVER, Tries.again(true, false, true, false));
    }

    @Test
    void anIdempotentRequestOnAPooledConnectionTheWorkerClosedGoesAgainUncountedOthersNever() {
        assertEquals(Tries.Again.UNCOUNTED, Tries.again(true, true, true, true));
        assertEquals(Tries.Again.NEVER, Tries.again(true, true, true, false));
        assertEquals(Tries.Again.NEVER, Tries.again(true, true, false, true));
    }

    @Test
    void aBodyBatonNoLongerHoldsIsNeverSentAgain() {
        assertEquals(Tries.Again.NEVER, Tries.again(false, false, false, true));
        assertEquals(Tries.Again.NEVER, Tries.again(true, false, false, true));
    }

    @Test
    void countedTriesStopAfterRetriesAndUncountedOnesAfterMaxUnsent() {
        Tries tries = new Tries(1, 1_000_000_000L);
        tries.sent();
        assertTrue(tries.another(true), "one retry");
        tries.sent();
        assertFalse(tries.another(true), "retries = 1 used up");
        Tries unsent = new Tries(0, 1_000_000_000L);
        for (int i = 0; i < Tries.MAX_UNSENT; i++) {
            unsent.sent();
            unsent.unsent();
            assertTrue(unsent.another(false));
        }
        assertFalse(unsent.another(false));
    }
}
