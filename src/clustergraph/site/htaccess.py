"""Content negotiation rules: `.htaccess` for the site itself and `w3id.htaccess` for w3id.org."""

from __future__ import annotations

__all__ = ["NEGOTIATION", "htaccess", "w3id_rules"]

_TYPES = (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
          ("nq", "application/n-quads"), ("trig", "application/trig"), ("rdf", "application/rdf+xml"),
          ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("svg", "image/svg+xml"))

#: (Accept pattern, file) pairs, first match wins; a browser (text/html) always gets HTML.
NEGOTIATION = (
    (r"text/turtle|application/x-turtle", "index.ttl"),
    (r"application/ld\+json|application/json", "index.jsonld"),
)


def htaccess() -> str:
    """Apache rules for the site itself: media types, and Turtle/JSON-LD for machines that ask."""
    lines = ["# clustergraph site: media types and content negotiation (Apache 2.4, mod_rewrite, mod_headers)",
             "Options -MultiViews", "DirectoryIndex index.html", "ErrorDocument 404 /404.html", ""]
    lines += [f"AddType {media}; charset=utf-8 .{ext}" if media.startswith("text/")
              else f"AddType {media} .{ext}" for ext, media in _TYPES]
    lines += ["", "<IfModule mod_headers.c>", "  Header append Vary Accept", "</IfModule>", "",
              "RewriteEngine on"]
    for accept, target in NEGOTIATION:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} ({accept})",
                  "RewriteCond %{HTTP_ACCEPT} !text/html",
                  f"RewriteCond %{{REQUEST_FILENAME}}/{target} -f",
                  f"RewriteRule ^(.*?)/?$ $1/{target} [L]"]
    lines += ["RewriteCond %{HTTP_ACCEPT} (text/turtle|application/x-turtle)",
              "RewriteCond %{HTTP_ACCEPT} !text/html",
              "RewriteRule ^ontology/?$ ontology/clustergraph.ttl [L]", ""]
    return "\n".join(lines)


def w3id_rules(host_url: str) -> str:
    """The rules for https://w3id.org/clustergraph/ (a `.htaccess` in the w3id.org repository).

    /clustergraph/id/... answers 303 See Other: browsers to the page, machines asking for
    Turtle or JSON-LD to the resource's file; the ontology likewise; everything else is
    redirected to the same path on the host.
    """
    host = host_url.rstrip("/")
    lines = ["# https://w3id.org/clustergraph/ -> " + host_url,
             "# Browsers get HTML; clients asking for Turtle or JSON-LD (and not HTML) get the data.",
             "Options +FollowSymLinks", "RewriteEngine on", ""]
    for accept, target in NEGOTIATION:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} ({accept})", "RewriteCond %{HTTP_ACCEPT} !text/html",
                  f"RewriteRule ^id/(.+?)/?$ {host}/id/$1/{target} [R=303,L]"]
    lines += ["RewriteRule ^id/(.+?)/?$ " + host + "/id/$1/ [R=303,L]", ""]
    lines += ["RewriteCond %{HTTP_ACCEPT} (text/turtle|application/x-turtle)", "RewriteCond %{HTTP_ACCEPT} !text/html",
              f"RewriteRule ^ontology/?$ {host}/ontology/clustergraph.ttl [R=303,L]",
              "RewriteCond %{HTTP_ACCEPT} (application/ld\\+json|application/json)",
              "RewriteCond %{HTTP_ACCEPT} !text/html",
              f"RewriteRule ^ontology/?$ {host}/ontology/index.jsonld [R=303,L]",
              f"RewriteRule ^ontology/?$ {host}/ontology/ [R=303,L]", "",
              f"RewriteRule ^(.*)$ {host}/$1 [R=302,L]", ""]
    return "\n".join(lines)
