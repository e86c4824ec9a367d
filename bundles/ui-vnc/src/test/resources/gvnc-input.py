#!/usr/bin/python3
# Drives an RFB server's keyboard and pointer through gtk-vnc's client library (GVnc):
# gvnc-input.py HOST PORT EVENT... where EVENT is key:KEYSYM (down then up, hex),
# down:KEYSYM, up:KEYSYM, ptr:MASK,X,Y or sleep:MS (a pause). Prints "sent N" (pauses not
# counted) once every event went out.
import sys
import gi
gi.require_version('GVnc', '1.0')
from gi.repository import GVnc, GLib

host, port, events = sys.argv[1], sys.argv[2], sys.argv[3:]
loop = GLib.MainLoop()
if len(sys.argv) > 1 and __import__("os").environ.get("GVNC_DEBUG"):
    GVnc.util_set_debug(True)
conn = GVnc.Connection.new()
failed = []


def choose_type(c, types):
    c.set_auth_type(1)  # None (the enum wrapper trips over a negative member in this PyGObject)


def initialized(c):
    sent = [0]

    def run(i):
        while i < len(events):
            kind, arg = events[i].split(':', 1)
            i += 1
            if kind == 'sleep':
                # The rest goes after a pause (a person's pace: a mouse reports at its sample rate).
                GLib.timeout_add(int(arg), lambda: run(i) and False)
                return False
            if kind == 'ptr':
                mask, x, y = (int(v) for v in arg.split(','))
                c.pointer_event(mask, x, y)
            else:
                sym = int(arg, 16)
                if kind in ('key', 'down'):
                    c.key_event(True, sym, 0)
                if kind in ('key', 'up'):
                    c.key_event(False, sym, 0)
            sent[0] += 1
        print('sent', sent[0], flush=True)
        # Let the events leave before the connection closes.
        GLib.timeout_add(500, lambda: (c.shutdown(), loop.quit()))
        return False

    run(0)


def error(c, message):
    failed.append(message)
    loop.quit()


conn.connect('vnc-auth-choose-type', choose_type)
conn.connect('vnc-initialized', initialized)
conn.connect('vnc-error', error)
conn.connect('vnc-disconnected', lambda c: loop.quit())
GLib.timeout_add(60000, loop.quit)
conn.open_host(host, port)
loop.run()
if failed:
    print('error:', failed[0], file=sys.stderr)
    sys.exit(1)
