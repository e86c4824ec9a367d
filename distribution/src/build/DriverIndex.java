/*
 * Build step of the distribution: indexes the driver bundles of its repository/ folder with bnd's
 * indexer (SimpleIndexer, what bnd-indexer-maven-plugin runs), writing the OSGi repository index
 * (Repository Service spec 132.5) the kernel's driver locator reads. Each bundle's capabilities
 * are its manifest's, the alosj.pci.driver lines included; content URLs are relative to the
 * index, so the folder can move. Run by the pom in Java's source-file mode:
 *   java -cp BNDLIB DriverIndex.java INDEX JAR...
 */

import aQute.bnd.osgi.repository.SimpleIndexer;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

public class DriverIndex {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DriverIndex INDEX JAR...");
            System.exit(2);
        }
        File index = new File(args[0]).getAbsoluteFile();
        List<File> jars = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            jars.add(new File(args[i]).getAbsoluteFile());
        }
        new SimpleIndexer().files(jars).base(index.getParentFile().toURI()).name("alosj-drivers").compress(false)
                .index(index);
        System.out.println("distribution: driver repository index of " + jars.size() + " bundles in " + index);
    }
}
