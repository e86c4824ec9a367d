package org.alosj.abi.linux.impl;

import java.util.Map;

/** Names of the Linux x86-64 system calls the kernel log mentions when one is missing. */
final class Names {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(41, "socket"), Map.entry(42, "connect"), Map.entry(43, "accept"), Map.entry(44, "sendto"),
            Map.entry(45, "recvfrom"), Map.entry(46, "sendmsg"), Map.entry(47, "recvmsg"), Map.entry(48, "shutdown"),
            Map.entry(49, "bind"), Map.entry(50, "listen"), Map.entry(51, "getsockname"),
            Map.entry(52, "getpeername"), Map.entry(53, "socketpair"), Map.entry(54, "setsockopt"),
            Map.entry(55, "getsockopt"), Map.entry(288, "accept4"), Map.entry(307, "sendmmsg"),
            Map.entry(299, "recvmmsg"), Map.entry(38, "setitimer"),
            Map.entry(36, "getitimer"), Map.entry(128, "rt_sigtimedwait"), Map.entry(213, "epoll_create"),
            Map.entry(232, "epoll_wait"), Map.entry(233, "epoll_ctl"), Map.entry(291, "epoll_create1"),
            Map.entry(281, "epoll_pwait"), Map.entry(284, "eventfd"), Map.entry(290, "eventfd2"),
            Map.entry(283, "timerfd_create"), Map.entry(282, "signalfd"), Map.entry(289, "signalfd4"),
            Map.entry(165, "mount"), Map.entry(166, "umount2"), Map.entry(169, "reboot"),
            Map.entry(78, "getdents"), Map.entry(334, "rseq"), Map.entry(425, "io_uring_setup"),
            Map.entry(436, "close_range"), Map.entry(324, "membarrier"), Map.entry(103, "syslog"));

    private Names() {
    }

    static String of(int number) {
        return NAMES.get(number);
    }
}
