"""pySHACL with the network closed: the second wall behind the check of the shapes' SPARQL.

The shapes' SPARQL is checked before anything runs (`clustergraph.sparql_check`, through
`clustergraph.validation.loading.refuse_network_sparql`); should a query still name a remote
address, rdflib must not reach it. For the length of a pySHACL run, `network_closed`:

- turns rdflib's ``SPARQL_LOAD_GRAPHS`` off, so FROM / FROM NAMED (and LOAD) select graphs of the
  dataset and fetch nothing;
- replaces the openers rdflib and pySHACL call (``urlopen`` of rdflib's SPARQL evaluation, for
  SERVICE; rdflib's parser's, for a graph read from a URL; ``urllib.request.urlopen``, which
  pySHACL's loader calls) with one that refuses, raising `NetworkClosedError`;
- turns a RecursionError of rdflib's SPARQL parser (it fails at about 25 nested parentheses or
  36 nested groups, within our nesting limit), and the bare Exception its SPARQL engine raises
  for a query it cannot run (FROM NAMED on a graph), into an `InputError` naming the shapes file.

Everything is put back when the run ends, however it ends: nothing lasts beyond it. While it
runs, the openers are replaced for the whole process (they are module attributes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from clustergraph.errors import InputError

__all__ = ["NetworkClosedError", "network_closed"]


class NetworkClosedError(InputError):
    """rdflib or pySHACL tried to open a URL while the network is closed (exit 2)."""


def _refuse(request: Any, *args: Any, **kwargs: Any) -> NoReturn:
    """An opener that opens nothing."""
    url = getattr(request, "full_url", request)
    raise NetworkClosedError(
        f"refused to open {url}: a validation never reaches the network "
        "(SERVICE, FROM, FROM NAMED and LOAD fetch nothing)"
    )


@contextmanager
def network_closed(shapes_file: Path | str) -> Iterator[None]:
    """Run the body (a pySHACL validation with `shapes_file`) with rdflib's network access
    closed, and its parser's RecursionError as an `InputError`; restore everything after."""
    # rdflib's SPARQL modules: ~0.2 s to import, only on the pySHACL path (which imports them)
    import urllib.request

    import rdflib.parser
    import rdflib.plugins.sparql as rdflib_sparql
    import rdflib.plugins.sparql.evaluate as rdflib_evaluate

    patched: list[tuple[Any, str, Any]] = [
        (rdflib_sparql, "SPARQL_LOAD_GRAPHS", False),
        (rdflib_evaluate, "urlopen", _refuse),
        (rdflib.parser, "_urlopen", _refuse),
        (urllib.request, "urlopen", _refuse),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    try:
        for owner, name, value in patched:
            setattr(owner, name, value)
        yield
    except RecursionError:
        raise InputError(
            f"{shapes_file}: pySHACL cannot parse the SPARQL of these shapes: rdflib's parser "
            "runs out of recursion on its nesting (about 25 nested parentheses or 36 nested "
            "groups); validate with --engine oxigraph, which accepts up to the nesting limit"
        ) from None
    except Exception as exc:
        if type(exc) is not Exception:
            raise
        # e.g. FROM NAMED on pySHACL's data graph, which is a graph, not a dataset
        raise InputError(
            f"{shapes_file}: pySHACL's SPARQL engine (rdflib) cannot run the SPARQL of these "
            f"shapes: {exc}"
        ) from None
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
