package org.alosj.kernel.impl.input;

import java.util.List;
import java.util.Map;
import org.alosj.kernel.input.KeyDecoder;
import org.alosj.kernel.input.Keymaps;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's keymaps ({@code us}, {@code fr}) and the one loaded, configured by PID
 * {@value #PID} ({@code keymap=fr}) and changed at run time by {@code loadkeys}.
 */
@Component(configurationPid = KeymapsImpl.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class KeymapsImpl implements Keymaps {
    public static final String PID = "org.alosj.keyboard";
    private static final Logger LOG = LoggerFactory.getLogger("kernel.keyboard");

    /** Configuration of the keyboard layer. */
    public @interface Config {
        String keymap() default "us";
    }

    private final Map<String, Keymap> maps = Map.of("us", Keymap.us(), "fr", Keymap.fr());
    private volatile Keymap current = maps.get("us");

    @Activate
    public KeymapsImpl(Config config) {
        configure(config);
    }

    /** A keyboard layer with the {@code us} keymap loaded, for code outside OSGi (tests). */
    public KeymapsImpl() {
    }

    @Modified
    void configure(Config config) {
        try {
            load(config.keymap());
        } catch (IllegalArgumentException e) {
            LOG.error("keyboard: {} (keeping '{}')", e.getMessage(), current.name);
        }
    }

    @Override
    public List<String> available() {
        return List.of("us", "fr");
    }

    @Override
    public String current() {
        return current.name;
    }

    @Override
    public void load(String name) {
        Keymap map = name == null ? null : maps.get(name.trim());
        if (map == null) {
            throw new IllegalArgumentException("unknown keymap '" + name + "' (" + String.join(", ", available()) + ")");
        }
        if (map != current) {
            current = map;
            LOG.info("keyboard: keymap '{}' loaded", map.name);
        }
    }

    @Override
    public KeyDecoder newDecoder() {
        return new Decoder(() -> current);
    }
}
