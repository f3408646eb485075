"""HTTP Digest access authentication (RFC 7616 with MD5 or SHA-256, qop=auth), client side.

Virtuoso's authenticated endpoints (`/sparql-auth`, `/sparql-graph-crud-auth`) ask for it.
A `DigestChallenge` is read from a 401 answer's WWW-Authenticate header and then signs each
request, counting its uses of the server's nonce.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field

__all__ = ["DigestChallenge"]

_PARAM = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


@dataclass
class DigestChallenge:
    """A server's Digest challenge, and the count of requests signed with its nonce."""

    realm: str
    nonce: str
    qop: str | None = None
    opaque: str | None = None
    algorithm: str = "MD5"
    uses: int = field(default=0)

    @classmethod
    def parse(cls, header: str | None) -> DigestChallenge | None:
        """The challenge in a WWW-Authenticate value, or None when it asks for no Digest."""
        if not header or not header.strip().lower().startswith("digest "):
            return None
        params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _PARAM.finditer(header.strip()[7:])}
        algorithm = (params.get("algorithm") or "MD5").upper()
        if "realm" not in params or "nonce" not in params or algorithm not in _HASHES:
            return None
        qops = [q.strip() for q in (params.get("qop") or "").split(",") if q.strip()]
        return cls(realm=params["realm"], nonce=params["nonce"],
                   qop="auth" if "auth" in qops else None, opaque=params.get("opaque"),
                   algorithm=algorithm)

    def authorization(self, method: str, uri: str, user: str, password: str,
                      cnonce: str | None = None) -> str:
        """The Authorization header value for one request (`uri`: the path and query;
        `cnonce`: the client's nonce, random unless given)."""

        def h(text: str) -> str:
            return _HASHES[self.algorithm](text.encode("utf-8")).hexdigest()

        self.uses += 1
        ha1 = h(f"{user}:{self.realm}:{password}")
        ha2 = h(f"{method}:{uri}")
        parts = {"username": user, "realm": self.realm, "nonce": self.nonce, "uri": uri,
                 "algorithm": self.algorithm}
        if self.qop:
            nc = f"{self.uses:08x}"
            cnonce = cnonce or os.urandom(8).hex()
            parts.update(qop=self.qop, nc=nc, cnonce=cnonce,
                         response=h(f"{ha1}:{self.nonce}:{nc}:{cnonce}:{self.qop}:{ha2}"))
        else:
            parts["response"] = h(f"{ha1}:{self.nonce}:{ha2}")
        if self.opaque is not None:
            parts["opaque"] = self.opaque
        unquoted = {"algorithm", "qop", "nc"}
        return "Digest " + ", ".join(
            f"{k}={v}" if k in unquoted else f'{k}="{v}"' for k, v in parts.items())
