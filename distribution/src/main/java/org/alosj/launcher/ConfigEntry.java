package org.alosj.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Configuration Admin configuration: a singleton ({@code factoryPid} null) or a factory
 * configuration named {@code name}. Values are strings, as in Felix's .cfg files; Declarative
 * Services converts them to the component property types.
 */
record ConfigEntry(String pid, String factoryPid, String name, Map<String, String> properties) {
    ConfigEntry {
        properties = new LinkedHashMap<>(properties);
    }

    static ConfigEntry singleton(String pid, Map<String, String> properties) {
        return new ConfigEntry(pid, null, null, properties);
    }

    static ConfigEntry factory(String factoryPid, String name, Map<String, String> properties) {
        return new ConfigEntry(null, factoryPid, name, properties);
    }

    boolean isFactory() {
        return factoryPid != null;
    }

    /** The PID a .cfg file would be named after. */
    String key() {
        return isFactory() ? factoryPid + "-" + name : pid;
    }
}
