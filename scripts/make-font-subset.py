#!/usr/bin/python3
"""Builds assets/fonts/cjk-subset.ttf from Debian's Droid Sans Fallback
(Apache-2.0): ASCII, Latin-1, the GB2312 hanzi (6,763 characters, which
cover nearly every company and account name) and the punctuation, arrows
and symbols the interface uses. Run by hand after apt-get install
fonts-droid-fallback fonts-dejavu-core python3-fonttools; the output is committed."""
import os
import sys
import tempfile
from fontTools import merge, subset

SRC = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
OUT = sys.argv[1] if len(sys.argv) > 1 else "assets/fonts/cjk-subset.ttf"

chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.update(ord(c) for c in bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F),
               (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2700, 0x27BF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]:
    chars.update(range(lo, hi + 1))

SYMBOLS_SRC = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
opts = subset.Options()
opts.layout_features = ["*"]
opts.name_IDs = ["*"]
opts.notdef_outline = True
font = subset.load_font(SRC, opts)
sub = subset.Subsetter(opts)
sub.populate(unicodes=sorted(chars))
sub.subset(font)
# Droid Sans Fallback has no ✓ ✗ → and a few more symbols the interface
# uses; they come from DejaVu Sans (Bitstream Vera licence), scaled to the
# same em and merged in, so no machine shows them as boxes or �.
have = set(font.getBestCmap())
wanted = {c for c in chars if c >= 0x2000} - have
sym = subset.load_font(SYMBOLS_SRC, opts)
sym_sub = subset.Subsetter(opts)
sym_sub.populate(unicodes=sorted(wanted & set(sym.getBestCmap())))
sym_sub.subset(sym)
from fontTools.ttLib.scaleUpem import scale_upem
scale_upem(sym, font["head"].unitsPerEm)
with tempfile.TemporaryDirectory() as d:
    a, b = os.path.join(d, "a.ttf"), os.path.join(d, "b.ttf")
    # Only the outlines, metrics and names are merged: the symbols need no
    # layout tables, and the merger cannot combine all of them.
    core = {"head", "hhea", "maxp", "OS/2", "hmtx", "cmap", "loca", "glyf", "name", "post", "fpgm", "prep", "cvt ", "gasp"}
    for f in (font, sym):
        for tbl in [t for t in f.keys() if t not in core and t != "GlyphOrder"]:
            del f[tbl]
    font.save(a)
    sym.save(b)
    merged = merge.Merger().merge([a, b])
    merged.save(OUT)
print(OUT, len(chars), "code points")
