/**
 * The PIIX3 IDE model ({@link org.alosj.hw.ata.impl.Piix3Ide}), its two channels
 * ({@link org.alosj.hw.ata.impl.IdeBus}), the ATA disks on them and the DS component. Private
 * to the bundle: drivers reach the controller through ports, memory and configuration cycles,
 * never through Java.
 */
package org.alosj.hw.ata.impl;
