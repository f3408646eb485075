"""Running queries on a remote SPARQL 1.1 endpoint through SPARQLWrapper.

Every request has a timeout (SPARQLWrapper sets none by default, and its ``resetQuery`` drops
one: we build a fresh wrapper per request and set the timeout last) and a User-Agent. A long
query goes as an url-encoded POST, a short one as GET. Credentials come from the environment:

* ``CLUSTERGRAPH_ENDPOINT_USER`` and ``CLUSTERGRAPH_ENDPOINT_PASSWORD``: HTTP basic auth;
* ``CLUSTERGRAPH_ENDPOINT_TOKEN``: ``Authorization: Bearer <token>``.

Answers 429 and 5xx are retried with exponential back-off, waiting what ``Retry-After`` asks
when the endpoint says (up to `MAX_RETRY_AFTER` seconds). An endpoint that is down, times out
or answers with an error raises `EndpointError` (exit code 4) naming the endpoint and the reason;
an address that is no http(s) URL is the user's input, an `InputError` (exit code 2).
`default_graphs` are sent as the protocol's ``default-graph-uri`` parameters.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
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

    def _wrapper(self, text: str, form: str) -> Any:
        # SPARQLWrapper (and its urllib machinery): only when a request is sent
        from SPARQLWrapper import GET, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
        # Not setQuery: it guesses the form from the text with regular expressions (slow on a
        # long query) and takes a comment such as "# padding" for an ADD update, which it then
        # sends as update=. We know the form.
        wrapper.queryString = text
        wrapper.queryType = form
        for graph in self.default_graphs:
            wrapper.addParameter("default-graph-uri", graph)
        wrapper.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
        if len(text) > MAX_GET_LENGTH or len(quote(text)) > MAX_GET_LENGTH:
            wrapper.setMethod(POST)
            wrapper.setRequestMethod(URLENCODED)
        else:
            wrapper.setMethod(GET)
        # Ask for exactly the standard formats: with SPARQLWrapper's wider list some stores
        # (Comunica) answer a SELECT in their own plain JSON.
        if form in ("CONSTRUCT", "DESCRIBE"):
            wrapper.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
        else:
            wrapper.addCustomHttpHeader("Accept", "application/sparql-results+json")
        credentials = self.authorization()
        if credentials:
            wrapper.addCustomHttpHeader("Authorization", credentials)
        # Last, so nothing above can reset it. SPARQLWrapper's setTimeout keeps whole seconds
        # only (int()), which turns a timeout under 1 s into no timeout at all: set the float.
        wrapper.setTimeout(max(1, int(self.timeout)))
        wrapper.timeout = float(self.timeout)
        return wrapper

    def _request(self, text: str, form: str, whole: bool = False) -> tuple[bytes, str]:
        # SPARQLWrapper: only when a request is sent
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            Unauthorized,
            URITooLong,
        )

        wrapper = self._wrapper(text, form)
        assert wrapper.timeout == self.timeout
        try:
            response = wrapper.query().response
            body = response.read()
            headers = response.headers
            content_type = headers.get("Content-Type", "") if headers else ""
            cut_at = headers.get(CUT_HEADER) if headers else None
            if cut_at is not None:
                said = f"{self.url} gave only the first {cut_at} rows of an answer"
                if whole:
                    raise CutAnswer(said, int(cut_at) if cut_at.strip().isdigit() else 0)
                log.warning("%s (%s)", said, CUT_HEADER)
            return body, content_type
        except QueryBadFormed as exc:
            raise EndpointError(
                f"{self.url} refused the query as malformed: {_detail(exc)}"
            ) from None
        except Unauthorized:
            raise EndpointError(
                f"{self.url} needs credentials or refused them (HTTP 401); set {ENV_USER} and "
                f"{ENV_PASSWORD}, or {ENV_TOKEN}"
            ) from None
        except EndPointNotFound:
            raise EndpointError(f"{self.url}: no SPARQL endpoint there (HTTP 404)") from None
        except URITooLong:
            raise EndpointError(f"{self.url} says the request is too long (HTTP 414)") from None
        except EndPointInternalError as exc:
            raise Retryable(f"{self.url} failed (HTTP 500): {_detail(exc)}") from None
        except urllib.error.HTTPError as exc:
            message = f"{self.url} answered HTTP {exc.code} {exc.reason}"
            if exc.code in RETRY_CODES:
                asked = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
                raise Retryable(message, retry_after=asked) from None
            raise EndpointError(message) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Retryable(
                    f"{self.url} did not answer within {self.timeout:g} s", final=True
                ) from None
            raise EndpointError(f"cannot reach {self.url}: {reason}") from None
        except TimeoutError:
            raise Retryable(
                f"{self.url} did not answer within {self.timeout:g} s", final=True
            ) from None
        except ConnectionError as exc:
            raise EndpointError(f"cannot reach {self.url}: {exc}") from None
        except OSError as exc:
            raise EndpointError(f"cannot talk to {self.url}: {exc}") from None

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


def _detail(exc: Exception) -> str:
    text = str(exc)
    # SPARQLWrapper prefixes its own explanation; keep what the endpoint said, shortened.
    if "Response:" in text:
        text = text.split("Response:", 1)[1]
    text = " ".join(text.replace("\\n", " ").split())
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return text[:500]
