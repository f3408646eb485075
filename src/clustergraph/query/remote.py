"""Running queries on a remote SPARQL 1.1 endpoint (the SPARQL 1.1 Protocol).

Every request goes through `clustergraph.http.transport`, as `publish`'s do: its timeout bounds
each attempt as a whole (connect, send, receive: an endpoint that trickles its answer is cut at
the deadline), an answer 3xx is refused with its status and Location (exit code 4; the query and
its credentials go nowhere else), and it carries our User-Agent. A long query goes as an
url-encoded POST, a short one as GET. Credentials come from the environment:

* ``CLUSTERGRAPH_ENDPOINT_USER`` and ``CLUSTERGRAPH_ENDPOINT_PASSWORD``: HTTP basic auth;
* ``CLUSTERGRAPH_ENDPOINT_TOKEN``: ``Authorization: Bearer <token>``.

Answers 429 and 5xx are retried with exponential back-off, waiting what ``Retry-After`` asks
when the endpoint says (up to `MAX_RETRY_AFTER` seconds). An endpoint that is down, times out
or answers with an error raises `EndpointError` (exit code 4) naming the endpoint and the reason;
an address that is no http(s) URL is the user's input, an `InputError` (exit code 2).
`default_graphs` are sent as the protocol's ``default-graph-uri`` parameters.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pyoxigraph

from clustergraph.errors import CutAnswer, EndpointError, InputError
from clustergraph.http.connection import Connection
from clustergraph.http.retry import Retryable, retry_after_seconds
from clustergraph.http.settings import (
    ENV_ENDPOINT,
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_USER,
    RETRY_CODES,
    USER_AGENT,
    credentials_from_env,
    endpoint_url_problem,
)
from clustergraph.http.transport import TimedOut, send
from clustergraph.query.results import Rows, Triples

__all__ = [
    "ENV_ENDPOINT",
    "ENV_PASSWORD",
    "ENV_TOKEN",
    "ENV_USER",
    "USER_AGENT",
    "RemoteEndpoint",
    "Solutions",
    "credentials_from_env",
    "endpoint_url_problem",
    "retry_after_seconds",
]

log = logging.getLogger(__name__)

#: Queries longer than this (url-encoded) are sent as POST.
MAX_GET_LENGTH = 1500
#: The header by which an endpoint says it cut an answer to its row limit (Virtuoso).
CUT_HEADER = "X-SPARQL-MaxRows"


@dataclass
class RemoteEndpoint(Connection):
    """A SPARQL endpoint and how to talk to it (the settings of `Connection`)."""

    url: str
    default_graphs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = endpoint_url_problem(self.url)
        if problem:
            raise InputError(f"endpoint {problem}")
        if self.timeout is None or self.timeout <= 0:
            raise InputError("the endpoint timeout must be a positive number of seconds")

    # -- one request -------------------------------------------------------------------------

    def _prepared(self, text: str, form: str) -> tuple[str, str, dict[str, str], bytes | None]:
        """The method, address, headers and body of a query: GET, or an url-encoded POST when
        long; the parameters SPARQLWrapper sent (`default-graph-uri`, `query`, and the format
        under the names stores read it by: Virtuoso's `format`, others' `output`, `results`)."""
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        answer_format = "turtle" if graph_form else "json"
        params = [("default-graph-uri", graph) for graph in self.default_graphs]
        params += [("query", text)] + [(name, answer_format) for name in ("format", "output", "results")]
        encoded = urllib.parse.urlencode(params, safe="/")
        # Ask for exactly the standard formats: with a wider list some stores (Comunica) answer
        # a SELECT in their own plain JSON.
        accept = "application/n-triples, text/turtle;q=0.9" if graph_form else "application/sparql-results+json"
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        credentials = self.authorization()
        if credentials:
            headers["Authorization"] = credentials
        if len(text) > MAX_GET_LENGTH or len(quote(text)) > MAX_GET_LENGTH:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return "POST", self.url, headers, encoded.encode("ascii")
        return "GET", f"{self.url}{'&' if '?' in self.url else '?'}{encoded}", headers, None

    def _request(self, text: str, form: str, whole: bool = False) -> tuple[bytes, str]:
        method, url, headers, body = self._prepared(text, form)
        try:
            answer = send(method, url, headers=headers, body=body, timeout=self.timeout)
        except TimedOut:
            raise Retryable(
                f"{self.url} did not answer within {self.timeout:g} s "
                "(--timeout bounds each attempt: connect, send, receive)", final=True
            ) from None
        except OSError as exc:  # refused, unknown host, reset, cut
            raise EndpointError(f"cannot reach {self.url}: {_reason(exc)}") from None
        except http.client.HTTPException as exc:  # an answer that is no HTTP
            raise EndpointError(f"cannot talk to {self.url}: {_reason(exc)}") from None
        status = answer.status
        if status >= 400:
            detail = _detail(answer.body)
            if status == 400:
                raise EndpointError(f"{self.url} refused the query as malformed: {detail}")
            if status == 401:
                raise EndpointError(
                    f"{self.url} needs credentials or refused them (HTTP 401); set {ENV_USER} and "
                    f"{ENV_PASSWORD}, or {ENV_TOKEN}"
                )
            if status == 404:
                raise EndpointError(f"{self.url}: no SPARQL endpoint there (HTTP 404)")
            if status == 414:
                raise EndpointError(f"{self.url} says the request is too long (HTTP 414)")
            if status == 500:
                raise Retryable(f"{self.url} failed (HTTP 500): {detail}")
            message = f"{self.url} answered HTTP {status} {answer.reason}"
            if status in RETRY_CODES:
                raise Retryable(message, retry_after=retry_after_seconds(answer.header("Retry-After")))
            raise EndpointError(message)
        cut_at = answer.header(CUT_HEADER)
        if cut_at is not None:
            said = f"{self.url} gave only the first {cut_at} rows of an answer"
            if whole:
                raise CutAnswer(said, int(cut_at) if cut_at.strip().isdigit() else 0)
            log.warning("%s (%s)", said, CUT_HEADER)
        return answer.body, answer.header("Content-Type") or ""

    # -- with retries ------------------------------------------------------------------------

    def fetch(self, text: str, form: str, whole: bool = False) -> tuple[bytes, str]:
        """The raw answer to a query, retrying 429/5xx with back-off and Retry-After. `whole`:
        an answer the endpoint says it cut (`CUT_HEADER`) raises `CutAnswer`."""
        def failed(exc: Retryable, attempts: int) -> EndpointError:
            return EndpointError(exc.message if exc.final else f"{exc.message} (after {attempts} attempts)")

        return self.retry_policy().call(lambda: self._request(text, form, whole), failed=failed)

    def run(self, text: str, form: str) -> Rows | Triples | bool:
        """Run a query: rows for SELECT, triples for CONSTRUCT/DESCRIBE, a bool for ASK."""

        if form not in ("CONSTRUCT", "DESCRIBE"):
            results = self.solutions(text, form)
            if isinstance(results, bool):
                return results
            return Rows.from_solutions(results)
        return Triples.from_iterable(q.triple for q in self.quads(text, form))

    def quads(self, text: str, form: str = "CONSTRUCT", whole: bool = False) -> list[Any]:
        """The answer to a CONSTRUCT or DESCRIBE, N-Triples or Turtle, as `pyoxigraph.Quad`s
        of the default graph (`whole`: see `fetch`)."""
        body, content_type = self.fetch(text, form, whole)
        fmt = (
            pyoxigraph.RdfFormat.N_TRIPLES
            if "n-triples" in content_type
            else pyoxigraph.RdfFormat.TURTLE
        )
        try:
            return list(pyoxigraph.parse(body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{self.url} sent an answer that does not parse: {exc}") from None

    def solutions(self, text: str, form: str = "SELECT", whole: bool = False) -> Solutions | bool:
        """The answer to a SELECT (`Solutions`) or an ASK (a bool), read from SPARQL JSON
        (`whole`: see `fetch`)."""
        body, _ = self.fetch(text, form, whole)
        json_format = pyoxigraph.QueryResultsFormat.JSON

        def parsed(answer: bytes) -> Solutions | bool:
            results = pyoxigraph.parse_query_results(answer, format=json_format)
            if isinstance(results, pyoxigraph.QueryBoolean):
                return bool(results)
            return Solutions(list(results.variables), list(results))  # rows parse lazily

        try:
            try:
                return parsed(body)
            except SyntaxError:  # members SPARQL JSON does not have (Comunica's "metadata")
                return parsed(_standard_json(body))
        except (SyntaxError, ValueError) as exc:
            raise EndpointError(f"{self.url} sent an answer that does not parse: {exc}") from None


@dataclass(frozen=True)
class Solutions:
    """The rows of a SELECT answer (`pyoxigraph.QuerySolution`, indexed by variable name)."""

    variables: list[Any]
    rows: list[Any]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _standard_json(body: bytes) -> bytes:
    """SPARQL JSON results with only the standard members (Comunica adds "metadata")."""
    data = json.loads(body)
    if not isinstance(data, dict) or "head" not in data:
        raise ValueError("not SPARQL JSON results (no head)")
    clean = {k: data[k] for k in ("head", "results", "boolean") if k in data}
    return json.dumps(clean).encode("utf-8")


def _detail(body: bytes) -> str:
    """What an endpoint said in an error answer, on one line, shortened."""
    return " ".join(body[:2000].decode("utf-8", "replace").split())[:500]


def _reason(exc: BaseException) -> str:
    """Why a connection failed, as urllib said it (the reason, not the exception's name)."""
    return str(exc) or type(exc).__name__
