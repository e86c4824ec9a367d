/**
 * ext2: the second extended filesystem, read and write, as a FileSystemType service named
 * "ext2", and mkfs for it (over a BlockDevice or into an image file).
 */
module org.alosj.fs.ext2 {
    requires static osgi.annotation;
    requires static org.osgi.service.component.annotations;
    requires org.slf4j;
    requires org.alosj.hal;
    requires org.alosj.kernel;

    exports org.alosj.fs.ext2;
}
