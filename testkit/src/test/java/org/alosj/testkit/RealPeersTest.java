package org.alosj.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RealPeersTest {
    @Test
    void a_missing_peer_skips_on_a_developers_machine() {
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> RealPeers.require(false, "frob is not installed", false));
        assertTrue(e.getMessage().contains("frob is not installed"), e.getMessage());
    }

    @Test
    void a_missing_peer_fails_on_ci() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> RealPeers.require(false, "frob is not installed", true));
        assertTrue(e.getMessage().contains("frob is not installed"), e.getMessage());
    }

    @Test
    void a_present_peer_passes_either_way() {
        assertDoesNotThrow(() -> RealPeers.require(true, "x", true));
        assertDoesNotThrow(() -> RealPeers.require(true, "x", false));
    }

    @Test
    void sh_is_on_the_path_and_no_such_tool_is_not() {
        assertTrue(RealPeers.onPath("sh"));
        assertTrue(!RealPeers.onPath("no-such-tool-4711"));
    }
}
