package org.alosj.kernel.impl.vfs;

/**
 * The directories a walk went through, from the root down, each with the name it was reached
 * by. {@code ..} pops one (so {@code ..} of a mount's root lands in the directory holding the
 * mount point, and never above the root), and the names give getcwd its answer. Immutable: a
 * working directory is a chain.
 */
record Chain(Chain parent, Node node, String name) {
    Chain push(Node child, String childName) {
        return new Chain(this, child, childName);
    }

    Chain up() {
        return parent == null ? this : parent;
    }

    String path() {
        if (parent == null) {
            return "/";
        }
        StringBuilder b = new StringBuilder();
        for (Chain c = this; c.parent != null; c = c.parent) {
            b.insert(0, c.name).insert(0, '/');
        }
        return b.toString();
    }

    /** Whether {@code n} is this chain's node or one of its ancestors'. */
    boolean contains(Node n) {
        for (Chain c = this; c != null; c = c.parent) {
            if (c.node.equals(n)) {
                return true;
            }
        }
        return false;
    }
}
