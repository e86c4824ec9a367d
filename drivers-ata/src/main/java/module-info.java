/**
 * ata_piix: the driver for the PIIX IDE controller (8086:7010) in compatibility mode and the ATA
 * disks on it. Each disk becomes a BlockDevice service named for its position (hda, hdb, hdc,
 * hdd); transfers use bus-master DMA when the controller offers it, PIO otherwise.
 */
module org.alosj.drivers.ata {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires static osgi.core;
    requires static org.apache.felix.gogo.runtime;
    requires org.slf4j;
    requires org.alosj.kernel;
}
