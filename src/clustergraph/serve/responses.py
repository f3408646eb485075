"""Responses shared by the endpoints: JSON errors, worker replies, negotiated formats."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clustergraph.serve.negotiation import Offer, choose, offer_for_format
from clustergraph.serve.worker import Reply

__all__ = ["ProblemError", "by_accept", "error_response", "mount_root", "negotiate", "reply_response"]


class ProblemError(Exception):
    """An HTTP error for the client: a status and a message (never a traceback)."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def mount_root(request: Request) -> str:
    """The path this app is mounted at ("" at the top, "/kg" under `Mount("/kg", app)`)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON error `{"error": message}` with `status` and `headers`."""
    return JSONResponse({"error": message}, status_code=status, headers=dict(headers or {}))


def negotiate(request: Request, offers: tuple[Offer, ...], what: str) -> Offer:
    """The offer named by `?format=`, else the one `Accept` prefers; 406 when there is none."""
    named = request.query_params.get("format")
    if named:
        offer = offer_for_format(named, offers)
        if offer is None:
            known = ", ".join(dict.fromkeys(o.fmt for o in offers))
            raise ProblemError(400, f"parameter 'format': {named!r} is not a format for {what} "
                                    f"(known: {known})")
        return offer
    return by_accept(request, offers, what)


def by_accept(request: Request, offers: tuple[Offer, ...], what: str) -> Offer:
    """The offer `Accept` prefers; 406 naming the media types available when there is none."""
    offer = choose(request.headers.get("accept"), offers)
    if offer is None:
        types = ", ".join(dict.fromkeys(o.accepts for o in offers))
        raise ProblemError(406, f"none of the accepted media types can be given for {what} "
                                f"(available: {types})")
    return offer


def reply_response(reply: Reply, max_rows: int) -> Response:
    """A worker's reply as an HTTP response; a cut answer says so in its headers."""
    headers = {"Vary": "Accept"}
    if reply.status == 200:
        headers["X-Result-Rows"] = str(reply.rows)
        if reply.truncated:
            headers["X-Result-Truncated"] = f"true; the answer was cut at {max_rows} rows (max-rows)"
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type,
                    headers=headers)
