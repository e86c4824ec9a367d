import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The peer of bench/boot.sh: a bare Apache Felix with nothing but the jars given on the command
 * line (SCR, Configuration Admin and Gogo's runtime, command and JLine console, as the
 * distribution ships them), started the way any Felix launcher starts them: a fresh bundle
 * cache (where the distribution's launcher keeps its own), every bundle installed, then every bundle started in order. Gogo's console reads
 * {@code gosh.args} ({@code -Dgosh.args="-c 'echo READY'"} runs one command, then stops the
 * framework). Exits when the framework has stopped.
 */
public final class BareFelix {
    public static void main(String[] args) throws Exception {
        // The same place as the launcher's cache (BundleCacheDir): memory where there is /dev/shm.
        Path shm = Path.of("/dev/shm");
        Path cache = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "bare-felix-")
                : Files.createTempDirectory("bare-felix-");
        Map<String, String> props = new HashMap<>();
        props.put("org.osgi.framework.storage", cache.toString());
        props.put("org.osgi.framework.storage.clean", "onFirstInit");
        props.put("felix.log.level", "1");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(props);
        framework.init();
        List<Bundle> bundles = new ArrayList<>();
        for (String jar : args) {
            bundles.add(framework.getBundleContext().installBundle(Path.of(jar).toUri().toString()));
        }
        framework.start();
        for (Bundle b : bundles) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                b.start();
            }
        }
        framework.waitForStop(0);
        deleteTree(cache);
        System.exit(0);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
