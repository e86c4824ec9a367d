package org.alosj.ui.vnc.impl;

import java.io.IOException;
import java.lang.annotation.Annotation;

/** The VNC component as the framework makes it, on a free loopback port, for tests. */
final class TestServers {
    private TestServers() {
    }

    static VncServer start(int deadlineMs) throws IOException {
        return new VncServer(new VncServer.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return VncServer.Config.class;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return 0;
            }

            @Override
            public String name() {
                return "ALOS/J test";
            }

            @Override
            public int deadline_ms() {
                return deadlineMs;
            }
        });
    }
}
