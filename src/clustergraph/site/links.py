"""How pages link to each other: relative links to `index.html` files, or a server's paths.

A page lives in a site folder ("id/cluster/jubail-industrial-city", "" for the home page).
`LinkStyle.static()` links relatively and always to a file (`../../country/SA/index.html`), so
the site works opened from disk (file://) as well as from any web server; `LinkStyle.server()`
links by absolute path (`/id/country/SA`), for `clustergraph serve`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LinkStyle"]


@dataclass(frozen=True)
class LinkStyle:
    """Where a link from one page folder to another page, asset or data file points.

    `static`: relative links ending in `index.html`; otherwise absolute paths under `prefix`.
    `data_pattern` (server style only): the address of a page's data in one format, from
    `{page}` (the page's path) and `{ext}` ("ttl" or "jsonld").
    """

    static: bool = True
    prefix: str = "/"
    data_pattern: str = "{page}?format={ext}"

    @classmethod
    def relative(cls) -> LinkStyle:
        """Relative links to files: for the static site, from file:// or any host."""
        return cls(static=True)

    @classmethod
    def server(cls, prefix: str = "/", data_pattern: str = "{page}?format={ext}") -> LinkStyle:
        """Absolute paths under `prefix`, e.g. `/id/cluster/jubail-industrial-city`."""
        return cls(static=False, prefix=prefix if prefix.endswith("/") else prefix + "/",
                   data_pattern=data_pattern)

    def page(self, here: str, there: str, fragment: str = "") -> str:
        """The link from the page in folder `here` to the page in folder `there`."""
        anchor = f"#{fragment}" if fragment else ""
        if not self.static:
            return self.prefix + there + anchor
        return _relative(here, there) + "index.html" + anchor

    def file(self, here: str, path: str) -> str:
        """The link from the page in folder `here` to a file of the site (`assets/style.css`)."""
        folder, _, name = path.rpartition("/")
        if not self.static:
            return self.prefix + path
        return _relative(here, folder) + name

    def data(self, here: str, ext: str) -> str:
        """The link from a resource page to its own data (`ext`: "ttl" or "jsonld")."""
        if self.static:
            return f"index.{ext}"
        return self.data_pattern.format(page=self.prefix + here, ext=ext)


def _relative(from_dir: str, to_dir: str) -> str:
    """The relative path from one site folder to another, "" or ending with a slash."""
    here = from_dir.split("/") if from_dir else []
    there = to_dir.split("/") if to_dir else []
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    rel = "/".join([".."] * (len(here) - common) + there[common:])
    return rel + "/" if rel else ""
