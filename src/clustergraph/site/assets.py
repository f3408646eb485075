"""The site's static files: the style sheet, the icons and the world-atlas licence."""

from __future__ import annotations

import math
import struct
import zlib
from importlib.resources import files

from clustergraph.files import paths
from clustergraph.site.geomap import vendor_file

__all__ = ["favicon_ico", "static_files"]

FAVICON_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
               b'<circle cx="8" cy="8" r="7" fill="#0f2a43"/><circle cx="8" cy="8" r="3" fill="#2ca02c"/></svg>\n')


def favicon_ico() -> bytes:
    """A 16×16 icon (a PNG inside an ICO) for hosts and browsers that ask for /favicon.ico."""
    rows = []
    for y in range(16):
        row = bytearray([0])
        for x in range(16):
            d = math.hypot(x - 7.5, y - 7.5)
            row += bytes((44, 160, 44, 255)) if d < 3.2 else bytes((15, 42, 67, 255)) if d < 7.5 else bytes(4)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(png), 22) + png


def static_files() -> dict[str, bytes]:
    """Site path -> content of every static file the pages link to: style sheet, icons, the
    world-atlas licence, the ontology, shapes and JSON-LD context (the world map is rendered apart)."""
    out = {
        "assets/style.css": files("clustergraph").joinpath("site_assets", "style.css").read_bytes(),
        "assets/favicon.svg": FAVICON_SVG,
        "favicon.ico": favicon_ico(),
    }
    for name in ("LICENSE", "package.json"):
        out[f"assets/vendor/world-atlas/{name}"] = vendor_file("world-atlas", name).read_bytes()
    out["ontology/clustergraph.ttl"] = paths.ontology_file().read_bytes()
    out["ontology/context.jsonld"] = paths.context_file().read_bytes()
    if paths.shapes_file().exists():
        out["ontology/shapes.ttl"] = paths.shapes_file().read_bytes()
    return out
