package org.alosj.monitor.impl;

import org.alosj.hal.testing.RecordingInput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** sendkey, mouse_move and mouse_button with QEMU's names and semantics, as the input model receives them. */
class InputCommandsTest {
    private final InputCommands commands = new InputCommands();
    private final RecordingInput input = new RecordingInput();

    InputCommandsTest() {
        commands.bindInput(input);
    }

    @Test
    void sendkeyPressesTheCombinationInOrderAndLetsGoInReverse() throws InterruptedException {
        commands.sendkey("ctrl-alt-f1", 0);
        assertEquals(List.of("down 29", "down 56", "down 59", "up 59", "up 56", "up 29"), input.events());
    }

    @Test
    void sendkeyTakesQemusNamesForLettersShiftReturnAndTheKeypad() throws InterruptedException {
        commands.sendkey("a");
        commands.sendkey("shift-a", 0);
        commands.sendkey("ret", 0);
        commands.sendkey("kp_7", 0);
        commands.sendkey("spc", 0);
        assertEquals(List.of("down 30", "up 30", "down 42", "down 30", "up 30", "up 42", "down 28", "up 28",
                "down 71", "up 71", "down 57", "up 57"), input.events());
    }

    @Test
    void sendkeyRefusesUnknownNamesAndBadHoldTimesInOneLineBeforePressingAnything() {
        assertEquals("sendkey: unknown key 'enter' (QEMU's names: a, 1, ret, spc, esc, tab, shift, ctrl, alt, f1, up,"
                + " pgdn, kp_0 ...)", assertThrows(IllegalArgumentException.class,
                        () -> commands.sendkey("ctrl-enter", 0)).getMessage());
        assertEquals("sendkey: hold time -1 ms out of range (0-10000)",
                assertThrows(IllegalArgumentException.class, () -> commands.sendkey("a", -1)).getMessage());
        assertEquals(List.of(), input.events());
    }

    @Test
    void mouseButtonsStayHeldAcrossMovesAndTheWheelTurnsOneNotchAMove() {
        commands.mouse_button(1);
        commands.mouse_move(5, -3);
        commands.mouse_move(0, 0, -4);
        commands.mouse_button(4 | 2);
        commands.mouse_move(1, 1, 2);
        commands.mouse_button(0);
        assertEquals(List.of("pointer 0 0 0 1", "pointer 5 -3 0 1", "pointer 0 0 -1 1", "pointer 0 0 0 6",
                "pointer 1 1 1 6", "pointer 0 0 0 0"), input.events());
        assertEquals("mouse_button: bad state 9 (expected 0-7: 1 left, 2 right, 4 middle, added up)",
                assertThrows(IllegalArgumentException.class, () -> commands.mouse_button(9)).getMessage());
    }

    @Test
    void withoutAnInputModelTheCommandsSaySo() {
        commands.unbindInput(input);
        assertEquals("sendkey: no keyboard (no input device model is running)",
                assertThrows(IllegalStateException.class, () -> commands.sendkey("a", 0)).getMessage());
        assertEquals("mouse_move: no mouse (no input device model is running)",
                assertThrows(IllegalStateException.class, () -> commands.mouse_move(1, 1)).getMessage());
    }
}
