"""How pages link to each other: relative links to `index.html` files, or a server's paths.

A page lives in a site folder ("id/cluster/jubail-industrial-city", "" for the home page).
`LinkStyle.relative()` links relatively and always to a file (`../../country/SA/index.html`), so
the site works opened from disk (file://) as well as from any web server. `LinkStyle.server()`
links to a server's page addresses (`/id/country/SA`, the page of folder "id/country/SA"),
relatively (`../country/SA` from `/id/cluster/jubail-industrial-city`), so the pages work
wherever the server is mounted (`/kg/id/...`); `LinkStyle.server("/")` gives absolute paths.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LinkStyle"]


@dataclass(frozen=True)
class LinkStyle:
    """Where a link from one page folder to another page, asset or data file points.

    `static`: relative links ending in `index.html`; otherwise page addresses, absolute under
    `prefix`, or relative to the linking page's address when `prefix` is None.
    `data_pattern` (server style only): the address of a page's data in one format, from
    `{page}` (the page's address) and `{ext}` ("ttl" or "jsonld").
    """

    static: bool = True
    prefix: str | None = "/"
    data_pattern: str = "{page}?format={ext}"

    @classmethod
    def relative(cls) -> LinkStyle:
        """Relative links to files: for the static site, from file:// or any host."""
        return cls(static=True)

    @classmethod
    def server(cls, prefix: str | None = None, data_pattern: str = "{page}?format={ext}") -> LinkStyle:
        """Page addresses: relative ones (`../country/SA`) by default, which work under any
        mount point; absolute paths under `prefix` when given (`/id/country/SA`)."""
        if prefix is not None and not prefix.endswith("/"):
            prefix += "/"
        return cls(static=False, prefix=prefix, data_pattern=data_pattern)

    def page(self, here: str, there: str, fragment: str = "") -> str:
        """The link from the page in folder `here` to the page in folder `there`."""
        anchor = f"#{fragment}" if fragment else ""
        if self.static:
            return _relative(here, there) + "index.html" + anchor
        return self._address(here, there) + anchor

    def file(self, here: str, path: str) -> str:
        """The link from the page in folder `here` to a file of the site (`assets/style.css`)."""
        folder, _, name = path.rpartition("/")
        if self.static:
            return _relative(here, folder) + name
        return self._address(here, path)

    def data(self, here: str, ext: str) -> str:
        """The link from a resource page to its own data (`ext`: "ttl" or "jsonld")."""
        if self.static:
            return f"index.{ext}"
        return self.data_pattern.format(page=self._address(here, here), ext=ext)

    def _address(self, here: str, there: str) -> str:
        """The server address of `there` (a page folder or a file path), from page `here`."""
        if self.prefix is not None:
            return self.prefix + there
        # The page of folder "a/b/c" is served at /a/b/c, whose links resolve from /a/b/.
        base = here.rpartition("/")[0]
        folder, _, name = there.rpartition("/")
        link = _relative(base, folder) + name
        if not link or ":" in link.split("/", 1)[0]:
            link = "./" + link  # the root itself, or a first segment that would read as a scheme
        return link


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
