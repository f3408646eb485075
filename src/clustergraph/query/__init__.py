"""Querying the graph: the catalogue of stored queries, their parameters, the safety check, the
SPARQL lexer, the session that runs a query on the embedded store or a remote endpoint, and the
typed results."""
