package org.alosj.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ops4j.pax.exam.Option;

/** The framework every suite boots: the distribution's bundles in a real Felix. */
final class AlosOptions {
    /** Install order, as conf/bundles.list of the distribution (less the terminal console). */
    static final String[] BUNDLES = {
        "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component", "org.apache.felix.scr", "org.apache.felix.configadmin",
        "org.osgi.service.device", "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command",
        "hal-x86_64", "hw-netdev", "hw-pcnet", "kernel-core", "drivers-pcnet", "shell",
        "fs-ext2", "cpu-x86_64",
    };

    private AlosOptions() {
    }

    static Path bundleDir() {
        return Path.of(System.getProperty("alosj.bundles", "target/bundles")).toAbsolutePath();
    }

    static Path bundleJar(String name) {
        return bundleDir().resolve(name + ".jar");
    }

    static Option[] framework() {
        return framework(new String[0]);
    }

    /** The framework with {@code extraBundles} installed after the distribution's. */
    static Option[] framework(String... extraBundles) {
        List<Option> o = new ArrayList<>();
        String slf4j = System.getProperty("slf4j.version");
        String logback = System.getProperty("logback.version");
        // As system packages, not a raw framework property: the native container adds its own
        // (org.ops4j.pax.exam …) to the same header, and a raw property would replace them.
        o.add(systemPackages(
                // Pax Exam's own bundles import org.slf4j [1.4, 2): SLF4J 2's API is a superset of 1.7's.
                "org.slf4j;version=" + slf4j, "org.slf4j;version=1.7.36", "org.slf4j.event;version=" + slf4j,
                "org.slf4j.helpers;version=" + slf4j, "org.slf4j.spi;version=" + slf4j,
                "ch.qos.logback.classic;version=" + logback, "ch.qos.logback.classic.spi;version=" + logback,
                "ch.qos.logback.core;version=" + logback));
        o.add(frameworkProperty("felix.log.level").value("1"));
        // Pax Exam's own bundles come from the local repository only (the build fetched them).
        o.add(systemProperty("org.ops4j.pax.url.mvn.repositories").value(""));
        o.add(systemProperty("org.ops4j.pax.url.mvn.useFallbackRepositories").value("false"));
        o.add(cleanCaches());
        o.add(junitBundles());
        List<String> all = new ArrayList<>(List.of(BUNDLES));
        all.addAll(List.of(extraBundles));
        for (String b : all) {
            Path jar = bundleJar(b);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("missing bundle " + jar + ": run the build with mvn verify");
            }
            o.add(bundle(jar.toUri().toString()));
        }
        return options(o.toArray(new Option[0]));
    }
}
