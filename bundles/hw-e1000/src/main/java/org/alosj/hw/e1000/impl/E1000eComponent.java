package org.alosj.hw.e1000.impl;

import org.alosj.hal.board.Board;
import org.alosj.hal.net.NetBackend;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * One Intel 82574L per factory configuration of PID {@value #PID} ({@code -device e1000e}):
 * activation plugs the card into the board wired to the backend {@code backend.target} selects;
 * deactivation unplugs it. Both references are static: a backend that comes later makes the card
 * unplug and plug again, as pulling the card to connect a cable would.
 */
@Component(configurationPid = E1000eComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {}, immediate = true)
public final class E1000eComponent {
    public static final String PID = "org.alosj.hw.e1000e";
    static final String NO_BACKEND = "(" + NetBackend.NETDEV_ID + "=-)";

    /** Configuration of a card. */
    public @interface Config {
        /** Name of the card (logs, the PCI function's name). */
        String name() default "e1000e0";

        /** {@code aa:bb:cc:dd:ee:ff}; empty: QEMU's default 52:54:00:12:34:56 plus the name's number. */
        String mac() default "";

        /** PCI slot: decimal ({@code 3}), hex ({@code 0x3}) or QEMU's {@code 03.0}; empty: first free. */
        String addr() default "";

        /** Filter selecting the backend; the default selects none (no cable, link down). */
        String backend_target() default NO_BACKEND;
    }

    private final NicPlug plug;

    @Activate
    public E1000eComponent(Config config, @Reference(name = "board") Board board,
            @Reference(name = "backend", cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY, target = NO_BACKEND) NetBackend backend) {
        this(config.name(), config.mac(), config.addr(), board, backend);
    }

    E1000eComponent(String name, String mac, String addr, Board board, NetBackend backend) {
        plug = new NicPlug(Part.I82574L, name, mac, addr, board, backend);
    }

    /** The card, for tests in this bundle. */
    E1000Function card() {
        return plug.card();
    }

    @Deactivate
    void deactivate() {
        plug.unplug();
    }
}
