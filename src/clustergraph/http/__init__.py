"""HTTP for talking to SPARQL stores: one set of connection settings, credentials, Digest
authentication and one retry policy, shared by `publish` and the remote query endpoint."""
