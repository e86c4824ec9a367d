package org.alosj.kernel.impl.power;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.alosj.kernel.device.DeviceProperties;
import org.alosj.kernel.fs.FsException;
import org.alosj.kernel.irq.InterruptRegistration;
import org.alosj.kernel.irq.Interrupts;
import org.alosj.kernel.pci.IoRegion;
import org.alosj.kernel.pci.PciBinding;
import org.alosj.kernel.pci.PciDevice;
import org.alosj.kernel.pci.PciDriver;
import org.alosj.kernel.pci.PciId;
import org.alosj.kernel.power.SystemPower;
import org.alosj.kernel.vfs.Vfs;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The power driver of the PIIX4's power-management function (8086:7113), what Linux's ACPI
 * core does on QEMU's {@code pc}: as firmware would (SeaBIOS), it puts the ACPI PM1 block at
 * I/O 0x600 (PMBA) and enables it (PMIOSE); power-off writes SLP_TYP = 0 (QEMU's \_S5) with
 * SLP_EN to PM1a_CNT, reboot writes 0x06 to the reset register QEMU's FADT names (0xCF9, the
 * PIIX3's reset control). Both sync and unmount the filesystems first. While bound it offers
 * {@link SystemPower}.
 *
 * <p>It also takes the ACPI fixed power-button event, as Linux's ACPI button driver and an init
 * system together do: PWRBTN_EN is set in PM1_EN, and on the SCI (IRQ 9, a level line shared
 * with the hot-plug GPE) the handler claims only a pending, enabled PWRBTN_STS, clears it by
 * writing it back (ACPI's write-one-to-clear), and powers off in an orderly way on its own thread
 * (syncing and unmounting sleeps; interrupt context must not).
 */
@Component(configurationPolicy = ConfigurationPolicy.IGNORE, service = PciDriver.class, immediate = true)
public final class Piix4Power implements PciDriver {
    static final String NAME = "piix4_pm";
    private static final Logger LOG = LoggerFactory.getLogger("kernel.power");

    static final int PIIX4_PMBA = 0x40;
    static final int PIIX4_PMREGMISC = 0x80;
    static final int PMIOSE = 0x01;
    /** Where SeaBIOS puts the PM block on QEMU's pc (its ACPI tables say so too). */
    static final int PM_BASE = 0x600;
    static final int PM_BLOCK_SIZE = 0x40;
    static final int PM1A_STS = 0x00;
    static final int PM1A_EN = 0x02;
    static final int PM1A_CNT = 0x04;
    static final int PWRBTN_STS = 1 << 8;
    static final int PWRBTN_EN = 1 << 8;
    /** The SCI: ISA IRQ 9 on QEMU's pc (FADT SCI_INT). */
    static final int SCI_IRQ = 9;
    static final int SLP_TYP_S5 = 0;
    static final int SLP_EN = 1 << 13;
    static final int RESET_REG = 0xCF9;
    /** FADT RESET_VALUE on QEMU's pc: SYS_RST | RST_CPU. */
    static final int RESET_VALUE = 0x06;

    private final BundleContext context;
    private final Interrupts interrupts;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Vfs vfs;

    @Activate
    public Piix4Power(BundleContext context, @Reference Interrupts interrupts) {
        this.context = context;
        this.interrupts = interrupts;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<PciId> idTable() {
        return List.of(PciId.of(0x8086, 0x7113));
    }

    @Override
    public PciBinding probe(PciDevice device) {
        device.configWrite32(PIIX4_PMBA, PM_BASE | 1);
        device.configWrite8(PIIX4_PMREGMISC, device.configRead8(PIIX4_PMREGMISC) | PMIOSE);
        IoRegion pm = device.legacyIoRegion(PM_BASE, PM_BLOCK_SIZE);
        IoRegion reset = device.legacyIoRegion(RESET_REG, 1);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(DeviceProperties.SLOT, device.address().toString());
        props.put(DeviceProperties.DRIVER, NAME);
        SystemPower power = new SystemPower() {
            @Override
            public void powerOff() {
                quiesce("power off");
                pm.out16(PM1A_CNT, SLP_TYP_S5 << 10 | SLP_EN);
            }

            @Override
            public void reboot() {
                quiesce("restarting system");
                reset.out8(0, RESET_VALUE);
            }
        };
        ServiceRegistration<SystemPower> registration = context.registerService(SystemPower.class, power, props);
        AtomicBoolean goingDown = new AtomicBoolean();
        pm.out16(PM1A_STS, PWRBTN_STS); // a press from before we listened is stale
        InterruptRegistration sci = interrupts.register(SCI_IRQ, "acpi-pm1", irq -> {
            int sts = pm.in16(PM1A_STS);
            int en = pm.in16(PM1A_EN);
            if ((sts & en & PWRBTN_STS) == 0) {
                return false; // the SCI is shared: a GPE, not ours
            }
            pm.out16(PM1A_STS, PWRBTN_STS);
            if (goingDown.compareAndSet(false, true)) {
                LOG.info("power button pressed: shutting down");
                Thread t = new Thread(power::powerOff, "acpi-powerbutton");
                t.setDaemon(true);
                t.start();
            }
            return true;
        });
        pm.out16(PM1A_EN, pm.in16(PM1A_EN) | PWRBTN_EN);
        LOG.info("{}: ACPI PM1 block at {}, power button enabled on IRQ {}", device.address(),
                Integer.toHexString(PM_BASE), SCI_IRQ);
        return () -> {
            pm.out16(PM1A_EN, pm.in16(PM1A_EN) & ~PWRBTN_EN);
            sci.close();
            try {
                registration.unregister();
            } catch (IllegalStateException gone) {
                // the bundle is stopping
            }
            device.configWrite8(PIIX4_PMREGMISC, device.configRead8(PIIX4_PMREGMISC) & ~PMIOSE);
        };
    }

    /** What Linux prints and does before the power goes: every filesystem synced and unmounted. */
    private void quiesce(String what) {
        LOG.info("{}", what);
        Vfs v = vfs;
        if (v != null) {
            try {
                v.sync();
            } catch (FsException e) {
                LOG.warn("sync before {}: {}", what, e.getMessage());
            }
            v.shutdown();
        }
    }
}
