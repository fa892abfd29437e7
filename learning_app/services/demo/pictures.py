"""The demo lessons' pictures: small original diagrams drawn in code and encoded as PNG.

No imaging library is needed (nor installed): a tiny RGB canvas with rectangles, ellipses and
thick lines, written out with zlib. Each lesson names its picture by file name
(`picture:<name>.png` in its Markdown); the labels live in the lesson text and the alt text, so
the pictures carry no lettering.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from collections.abc import Callable

Color = tuple[int, int, int]

WIDTH, HEIGHT = 480, 240
PAPER: Color = (250, 248, 242)
INK: Color = (40, 44, 52)
BLUE: Color = (52, 120, 198)
TEAL: Color = (32, 150, 140)
ORANGE: Color = (230, 126, 34)
RED: Color = (200, 70, 60)
GREEN: Color = (90, 160, 70)
SAND: Color = (233, 214, 170)
PURPLE: Color = (130, 90, 180)
GREY: Color = (190, 192, 196)


class Canvas:
    """An RGB picture; every shape is clipped to the canvas."""

    def __init__(self, background: Color = PAPER) -> None:
        self.pixels = bytearray(bytes(background) * (WIDTH * HEIGHT))

    def dot(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < WIDTH and 0 <= y < HEIGHT:
            at = 3 * (y * WIDTH + x)
            self.pixels[at : at + 3] = bytes(color)

    def rect(self, x: int, y: int, w: int, h: int, color: Color) -> None:
        x0, x1 = max(0, x), min(WIDTH, x + w)
        if x0 >= x1:
            return
        row = bytes(color) * (x1 - x0)
        for yy in range(max(0, y), min(HEIGHT, y + h)):
            at = 3 * (yy * WIDTH + x0)
            self.pixels[at : at + len(row)] = row

    def frame(self, x: int, y: int, w: int, h: int, color: Color, t: int = 3) -> None:
        self.rect(x, y, w, t, color)
        self.rect(x, y + h - t, w, t, color)
        self.rect(x, y, t, h, color)
        self.rect(x + w - t, y, t, h, color)

    def ellipse(
        self, cx: int, cy: int, rx: int, ry: int, color: Color, ring: int | None = None
    ) -> None:
        """A filled ellipse, or only its outline `ring` pixels wide."""
        for yy in range(cy - ry, cy + ry + 1):
            for xx in range(cx - rx, cx + rx + 1):
                d = ((xx - cx) / rx) ** 2 + ((yy - cy) / ry) ** 2
                inner = ((rx - ring) / rx) ** 2 if ring else -1.0
                if d <= 1.0 and (ring is None or d >= inner):
                    self.dot(xx, yy, color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, width: int = 3) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        half = width // 2
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            self.rect(x - half, y - half, width, width, color)

    def arrow(self, x0: int, y0: int, x1: int, y1: int, color: Color, width: int = 3) -> None:
        self.line(x0, y0, x1, y1, color, width)
        angle = math.atan2(y1 - y0, x1 - x0)
        for turn in (2.6, -2.6):
            tip_x = round(x1 + 12 * math.cos(angle + turn))
            tip_y = round(y1 + 12 * math.sin(angle + turn))
            self.line(x1, y1, tip_x, tip_y, color, width)

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[3 * WIDTH * y : 3 * WIDTH * (y + 1)]) for y in range(HEIGHT)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


# --- Python ------------------------------------------------------------------------------------


def _python_variables(c: Canvas) -> None:
    c.rect(40, 90, 120, 60, ORANGE)  # the name tag
    c.ellipse(60, 120, 8, 8, PAPER)
    c.arrow(170, 120, 290, 120, INK)
    c.rect(300, 70, 140, 100, BLUE)  # the value
    c.rect(320, 90, 100, 60, PAPER)


def _python_loop(c: Canvas) -> None:
    for i, color in enumerate((BLUE, TEAL, ORANGE)):
        c.rect(70 + 120 * i, 140, 90, 60, color)
    c.ellipse(240, 90, 170, 60, INK, ring=4)
    c.arrow(390, 100, 400, 70, INK)


def _python_function(c: Canvas) -> None:
    c.arrow(30, 80, 160, 110, BLUE)
    c.arrow(30, 160, 160, 130, TEAL)
    c.rect(170, 60, 140, 120, INK)
    c.rect(180, 70, 120, 100, GREY)
    c.arrow(320, 120, 450, 120, ORANGE, 5)


def _python_list(c: Canvas) -> None:
    for i, color in enumerate((BLUE, TEAL, ORANGE, PURPLE)):
        c.rect(50 + 100 * i, 80, 80, 80, color)
        for k in range(i + 1):  # i + 1 dots under box i: positions 0..3
            c.ellipse(62 + 100 * i + 14 * k, 190, 4, 4, INK)


# --- biology -----------------------------------------------------------------------------------


def _biology_scale(c: Canvas) -> None:
    c.line(20, 210, 460, 210, INK)
    for x in range(20, 461, 44):
        c.line(x, 200, x, 220, INK, 2)
    c.ellipse(70, 170, 14, 8, GREEN)  # a bacterium
    c.ellipse(300, 110, 130, 90, ORANGE)  # an animal cell
    c.ellipse(300, 110, 130, 90, INK, ring=3)
    c.ellipse(320, 100, 30, 28, PURPLE)


def _biology_membrane(c: Canvas) -> None:
    for x in range(20, 470, 24):
        if 200 <= x <= 280:
            continue
        for y, tail in ((80, 1), (160, -1)):
            c.ellipse(x, y, 10, 10, BLUE)
            c.line(x - 4, y + 10 * tail, x - 4, y + 34 * tail, INK, 2)
            c.line(x + 4, y + 10 * tail, x + 4, y + 34 * tail, INK, 2)
    c.rect(205, 60, 70, 120, TEAL)  # a channel protein
    c.rect(230, 60, 20, 120, PAPER)


def _biology_cell(c: Canvas) -> None:
    c.ellipse(240, 120, 220, 110, SAND)
    c.ellipse(240, 120, 220, 110, INK, ring=3)
    c.ellipse(200, 110, 50, 45, PURPLE)
    c.ellipse(200, 110, 14, 14, INK)
    for x, y in ((350, 70), (370, 160), (100, 170)):
        c.ellipse(x, y, 32, 16, RED)
        c.line(x - 22, y, x + 22, y, PAPER, 2)
    for x, y in ((300, 120), (140, 60), (280, 190)):
        c.ellipse(x, y, 8, 8, GREEN)


def _biology_mitosis(c: Canvas) -> None:
    for cx in (120, 360):
        c.ellipse(cx, 120, 100, 90, SAND)
        c.ellipse(cx, 120, 100, 90, INK, ring=3)
    for y in range(60, 190, 30):  # metaphase: lined up in the middle
        c.line(112, y, 128, y + 14, BLUE, 5)
        c.line(128, y, 112, y + 14, RED, 5)
    for x in (290, 430):  # anaphase: pulled to the poles
        for y in range(70, 180, 36):
            c.line(x - 8, y, x + 8, y + 12, BLUE if x < 360 else RED, 5)
    c.arrow(225, 120, 255, 120, INK)


# --- history -----------------------------------------------------------------------------------

_CITIES = ((440, 120), (370, 100), (300, 130), (230, 110), (160, 140), (90, 120), (30, 150))


def _history_routes(c: Canvas) -> None:
    c.rect(0, 0, WIDTH, HEIGHT, SAND)
    c.ellipse(320, 160, 50, 22, (222, 196, 140))  # the desert
    for (x0, y0), (x1, y1) in itertools.pairwise(_CITIES):
        c.line(x0, y0, x1, y1, RED, 4)
    c.line(370, 100, 320, 200, RED, 2)
    c.line(320, 200, 230, 110, RED, 2)
    for x, y in _CITIES:
        c.ellipse(x, y, 8, 8, INK)
    c.rect(0, 200, 120, 40, BLUE)  # the sea in the west


def _camel(c: Canvas, x: int, color: Color) -> None:
    c.ellipse(x, 130, 34, 20, color)
    c.ellipse(x - 4, 110, 14, 12, color)
    c.rect(x + 28, 100, 10, 30, color)
    c.ellipse(x + 40, 98, 10, 7, color)
    for leg in (-24, -10, 12, 24):
        c.rect(x + leg, 145, 6, 40, color)
    c.rect(x - 20, 98, 30, 16, ORANGE)  # a bale


def _history_caravan(c: Canvas) -> None:
    c.rect(0, 185, WIDTH, 55, SAND)
    c.rect(10, 90, 60, 95, GREY)
    c.rect(410, 90, 60, 95, GREY)
    for x in (140, 240, 340):
        _camel(c, x, (150, 110, 70))


def _history_ideas(c: Canvas) -> None:
    spots = ((70, 120), (200, 60), (200, 180), (330, 120), (430, 60), (430, 180))
    for i, (x0, y0) in enumerate(spots):
        for x1, y1 in spots[i + 1 : i + 3]:
            c.line(x0, y0, x1, y1, GREY, 3)
    for (x, y), color in zip(spots, (BLUE, ORANGE, TEAL, PURPLE, RED, GREEN), strict=True):
        c.ellipse(x, y, 26, 26, color)
        c.ellipse(x, y, 10, 10, PAPER)


def _history_yam(c: Canvas) -> None:
    c.ellipse(90, 120, 50, 80, ORANGE)  # the paiza
    c.ellipse(90, 120, 50, 80, INK, ring=3)
    c.ellipse(90, 55, 10, 10, PAPER)
    c.line(70, 110, 110, 110, INK, 3)
    c.line(70, 135, 110, 135, INK, 3)
    for i in range(5):
        x = 190 + 65 * i
        c.rect(x - 18, 110, 36, 30, TEAL)
        if i:
            c.line(x - 47, 125, x - 18, 125, INK, 2)


# --- music -------------------------------------------------------------------------------------


def _staff(c: Canvas) -> None:
    for i in range(5):
        c.line(20, 60 + 24 * i, 460, 60 + 24 * i, INK, 2)


def _note(c: Canvas, x: int, step: int, color: Color = INK, stem: bool = True) -> None:
    """A note head on staff step `step` (0: bottom line, 1: the space above, ...)."""
    y = 156 - 12 * step
    c.ellipse(x, y, 13, 9, color)
    if stem:
        c.line(x + 12, y, x + 12, y - 60, color, 3)


def _music_staff(c: Canvas) -> None:
    _staff(c)
    for i, step in enumerate((0, 2, 4, 6, 8)):  # E G B D F
        _note(c, 120 + 70 * i, step, BLUE)


def _music_rhythm(c: Canvas) -> None:
    c.ellipse(60, 150, 18, 12, INK, ring=4)  # whole
    c.ellipse(170, 150, 14, 10, INK, ring=4)  # half
    c.line(183, 150, 183, 70, INK, 3)
    c.ellipse(280, 150, 14, 10, INK)  # quarter
    c.line(293, 150, 293, 70, INK, 3)
    for x in (380, 430):  # two eighths, beamed
        c.ellipse(x, 150, 14, 10, INK)
        c.line(x + 13, 150, x + 13, 70, INK, 3)
    c.rect(393, 68, 52, 8, INK)


def _music_scale(c: Canvas) -> None:
    for i in range(8):
        x = 20 + 55 * i
        c.rect(x, 40, 52, 170, BLUE if i in (0, 7) else PAPER)
        c.frame(x, 40, 52, 170, INK, 2)
    for i in (0, 1, 3, 4, 5):
        c.rect(20 + 55 * i + 38, 40, 30, 100, INK)
    for i in (2, 6):  # the half steps: E-F and B-C
        c.rect(20 + 55 * i + 20, 190, 70, 8, ORANGE)


def _music_chords(c: Canvas) -> None:
    _staff(c)
    for step in (-2, 0, 2):  # C E G
        _note(c, 150, step, BLUE, stem=False)
    c.line(130, 180, 170, 180, INK, 2)  # ledger line for middle C
    for step in (3, 5, 7):  # A C E
        _note(c, 330, step, PURPLE, stem=False)


DRAWINGS: dict[str, Callable[[Canvas], None]] = {
    "python-variables.png": _python_variables,
    "python-loop.png": _python_loop,
    "python-function.png": _python_function,
    "python-list.png": _python_list,
    "biology-scale.png": _biology_scale,
    "biology-membrane.png": _biology_membrane,
    "biology-cell.png": _biology_cell,
    "biology-mitosis.png": _biology_mitosis,
    "history-routes.png": _history_routes,
    "history-caravan.png": _history_caravan,
    "history-ideas.png": _history_ideas,
    "history-yam.png": _history_yam,
    "music-staff.png": _music_staff,
    "music-rhythm.png": _music_rhythm,
    "music-scale.png": _music_scale,
    "music-chords.png": _music_chords,
}


def picture_png(name: str) -> bytes:
    """The PNG bytes of the named picture (KeyError for a name no lesson uses)."""
    canvas = Canvas()
    DRAWINGS[name](canvas)
    return canvas.png()
