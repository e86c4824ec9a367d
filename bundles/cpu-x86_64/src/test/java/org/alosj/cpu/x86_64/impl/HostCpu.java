package org.alosj.cpu.x86_64.impl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.alosj.cpu.x86_64.Toolchain;

/** Runs cases on the host processor through diffrun.c, built with gcc at test time. */
final class HostCpu {
    private static final int RESULT_SIZE = 4 + 8 * 3 + 16 * 8 + 16 + 512 + DiffCase.DATA_SIZE;
    private final Path helper;

    HostCpu() throws IOException, InterruptedException {
        helper = Toolchain.compile("gcc", "diffrun.c", "diffrun", "-O1");
    }

    List<DiffCase.Outcome> run(List<DiffCase> cases) throws IOException, InterruptedException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer word = ByteBuffer.allocate(16 * 8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        for (DiffCase c : cases) {
            ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(c.code.length);
            in.writeBytes(len.array());
            in.writeBytes(c.code);
            word.clear();
            for (long g : c.in.gpr) {
                word.putLong(g);
            }
            word.putLong(c.in.rflags).putLong(0);
            in.writeBytes(word.array());
            in.writeBytes(c.in.fx);
            in.writeBytes(c.in.data);
        }
        in.writeBytes(new byte[] {-1, -1, -1, -1});
        byte[] out = Toolchain.run(List.of(helper.toAbsolutePath().toString()), in.toByteArray(), 300);
        if (out.length != (long) RESULT_SIZE * cases.size()) {
            throw new IOException("diffrun returned " + out.length + " bytes for " + cases.size() + " cases");
        }
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        List<DiffCase.Outcome> results = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            DiffCase.Outcome o = new DiffCase.Outcome();
            o.trap = b.getInt();
            o.errorCode = b.getLong();
            o.faultAddress = b.getLong();
            o.rip = b.getLong();
            for (int r = 0; r < 16; r++) {
                o.state.gpr[r] = b.getLong();
            }
            o.state.rflags = b.getLong();
            b.getLong();
            b.get(o.state.fx);
            b.get(o.state.data);
            results.add(o);
        }
        return results;
    }
}
