#!/usr/bin/python3
"""A tiny GTK 3 window that offers files as an X11 drag source, for the desktop drag-and-drop test.

Usage: drag-source.py X Y FILE...  (run with Debian's /usr/bin/python3, which has `gi`)

Shows a 240x160 window at X,Y (no window manager needed), prints "ready X Y WIDTH HEIGHT" once it is on
screen, and hands out the files as a text/uri-list when something drags from it (xdotool in the test).
Exits when a drag has ended, or after two minutes, or when the X display goes away.
"""

import sys
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

WIDTH, HEIGHT = 240, 160
TIMEOUT_SECONDS = 120


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    x, y = int(sys.argv[1]), int(sys.argv[2])
    uris = [Path(name).resolve().as_uri() for name in sys.argv[3:]]

    window = Gtk.Window(title="drag source")
    window.set_default_size(WIDTH, HEIGHT)
    window.move(x, y)
    window.connect("destroy", Gtk.main_quit)

    # An EventBox receives the button presses that start a drag; a Label alone has no window of its own.
    source = Gtk.EventBox()
    source.add(Gtk.Label(label=f"drag {len(uris)} file(s) from here"))
    source.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
    source.drag_source_add_uri_targets()

    def on_drag_data_get(_widget, _context, data, _info, _time):
        data.set_uris(uris)

    def on_drag_end(_widget, _context):
        # Give the target a moment to ask for the data before the source goes away.
        GLib.timeout_add(1500, Gtk.main_quit)

    source.connect("drag-data-get", on_drag_data_get)
    source.connect("drag-end", on_drag_end)
    window.add(source)

    def on_mapped(_widget, _event):
        _, origin_x, origin_y = window.get_window().get_origin()
        print(f"ready {origin_x} {origin_y} {WIDTH} {HEIGHT}", flush=True)
        return False

    window.connect("map-event", on_mapped)
    window.show_all()
    GLib.timeout_add_seconds(TIMEOUT_SECONDS, Gtk.main_quit)
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
