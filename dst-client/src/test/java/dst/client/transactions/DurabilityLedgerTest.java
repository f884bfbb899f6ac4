package dst.client.transactions;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurabilityLedgerTest {
    private final DurabilityLedger ledger = new DurabilityLedger();

    @Test
    void aRebootWithUnflushedWritesFailsTheNextFlushOnce() {
        ledger.welcomed(7, false);
        ledger.writeAcknowledged(false);
        ledger.writeAcknowledged(false);
        assertEquals(2, ledger.welcomed(8, true), "two acknowledged writes not covered by a flush");
        long coverage = ledger.coverage();
        assertFalse(ledger.flushAcknowledged(coverage), "the flush after the reboot must fail");
        assertTrue(ledger.flushAcknowledged(coverage), "reported once");
    }

    @Test
    void flushedWritesAndFuaWritesAreNotAtRisk() {
        ledger.welcomed(7, false);
        ledger.writeAcknowledged(false);
        assertTrue(ledger.flushAcknowledged(ledger.coverage()));
        ledger.writeAcknowledged(true);
        assertEquals(0, ledger.welcomed(8, true));
        assertTrue(ledger.flushAcknowledged(ledger.coverage()));
    }

    @Test
    void aFlushCoversOnlyWritesAcknowledgedBeforeItWasIssued() {
        ledger.welcomed(7, false);
        ledger.writeAcknowledged(false);
        long coverage = ledger.coverage();
        ledger.writeAcknowledged(false); // acknowledged after the flush was issued: not covered
        assertTrue(ledger.flushAcknowledged(coverage));
        assertEquals(1, ledger.welcomed(8, true));
    }

    @Test
    void sameBootOrUnknownBootIsNoLoss() {
        ledger.welcomed(0, false);
        ledger.writeAcknowledged(false);
        assertEquals(0, ledger.welcomed(9, true), "the first boot id was not told: nothing to compare");
        ledger.writeAcknowledged(false);
        assertEquals(0, ledger.welcomed(9, true), "same boot: the server's cache survived");
        assertTrue(ledger.flushAcknowledged(ledger.coverage()));
    }
}
