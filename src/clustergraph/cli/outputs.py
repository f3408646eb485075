"""The parameter type of every option or argument that names an output (`--out`, `--description`,
`site OUT`): `-` is standard output where a file is named, and a name with a control character
(a newline, a tab: almost always a quoting mistake) is refused as a usage error (exit code 2)
naming the parameter, before anything runs."""

from __future__ import annotations

from typing import Any

import click

__all__ = ["OutputPath"]


class OutputPath(click.ParamType):
    """A file or folder to write; `dash`: whether `-` (standard output) is accepted."""

    name = "path"

    def __init__(self, *, dash: bool = True, what: str = "file") -> None:
        self.dash = dash
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """The name as given, or a usage error saying what is wrong with it."""
        text = str(value)
        bad = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
        if bad is not None:
            self.fail(f"{text!r} holds a control character ({bad!r}); choose a name without one", param, ctx)
        if text == "":
            self.fail(f"an empty name; name a {self.what}", param, ctx)
        if text == "-" and not self.dash:
            self.fail(f"- (standard output) cannot hold a {self.what}; name a {self.what} (./- for one named -)",
                      param, ctx)
        if self.what == "folder":  # a file in the way: click's own words ("Directory 'x' is a file.")
            return str(click.Path(file_okay=False).convert(text, param, ctx))
        return text
