package org.alosj.hw.netdev.impl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.alosj.hal.net.NetBackend;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code netbackends}: the network backends (QEMU's {@code info network}), with their peer, or
 * why they have none, and their frame counters. Lives in this bundle, so it goes with it.
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = NetdevCommands.class, property = {
    "osgi.command.scope=alos",
    "osgi.command.function=netbackends",
})
public final class NetdevCommands {
    @Reference(service = NetBackend.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    private volatile List<NetBackend> backends;

    @Descriptor("network backends (-netdev): type, id, the NIC plugged in, the peer or why there is none,\n"
            + "  and frame counters (passt, udp: from/to the wire; fault: dropped, duplicated, reordered)")
    public void netbackends() {
        List<NetBackend> list = new ArrayList<>(backends == null ? List.of() : backends);
        list.sort(Comparator.comparing(NetBackend::id));
        if (list.isEmpty()) {
            System.out.println("no network backends");
        }
        for (NetBackend b : list) {
            if (b instanceof NetdevStatus s) {
                System.out.println(s.type() + " " + s.status());
            } else {
                System.out.println("? " + b.id() + (b.problem() == null ? "" : "  no peer: " + b.problem()));
            }
        }
        System.out.flush();
    }
}
