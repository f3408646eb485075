"""Finding 9 of issue #20: a resource path holding characters no IRI can hold is "not found".

Before: /id/cluster/%ff%fe, /id/cluster/a%20b and paths with < " { ^ ` \\ | answered 500, with a
traceback in the server's log (Oxigraph refused the IRI deep in the export code). Now such a
path is a clean 404 in every format, and the log has one line for it.
"""

from __future__ import annotations

import pytest
from support.raw_http import exchange, request_bytes
from support.serve_support import RunningServer, served  # noqa: F401

NOT_IRI_PATHS = ["%ff%fe", "a%20b", "%3C", "%22", "%7B", "%5E", "%60", "%5C", "%7C",
                 "a%3Eb", "%00", "%09"]


@pytest.mark.slow
@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "text/html", "*/*"])
@pytest.mark.parametrize("path", NOT_IRI_PATHS)
def test_a_path_that_is_no_iri_is_not_found(served: RunningServer, path: str,  # noqa: F811
                                            accept: str) -> None:
    answer = exchange(served.port, request_bytes("GET", f"/id/cluster/{path}", {"Accept": accept}))
    assert answer.status == 404, answer.data[:300]
    assert b"Traceback" not in answer.data


@pytest.mark.slow
def test_the_log_has_no_traceback_for_them(served: RunningServer) -> None:  # noqa: F811
    for path in NOT_IRI_PATHS:
        exchange(served.port, request_bytes("GET", f"/id/cluster/{path}", {"Accept": "text/turtle"}))
    log = served.log_text()
    assert "Traceback" not in log
    assert "internal error" not in log
