package org.alosj.kernel.input;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The keymaps the kernel knows and the one loaded; a service. */
@ProviderType
public interface Keymaps {
    /** Names of the keymaps available, such as {@code us} and {@code fr}. */
    List<String> available();

    /** Name of the keymap every decoder uses now. */
    String current();

    /** Loads a keymap by name for every keyboard; unknown names are an IllegalArgumentException naming the choices. */
    void load(String name);

    /** A decoder with its own modifier and lock state (one per console reading a keyboard). */
    KeyDecoder newDecoder();
}
