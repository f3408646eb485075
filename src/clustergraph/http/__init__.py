"""HTTP for talking to SPARQL stores: one set of connection settings, credentials, Digest
authentication, one retry policy and one transport (each attempt bounded as a whole by its
timeout, redirects refused), shared by `publish` and the remote query endpoint."""
