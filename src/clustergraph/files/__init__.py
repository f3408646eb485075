"""Files: where the shipped files are, reading RDF into a store (the format worked out once),
file:line locations of subjects, git revisions, and writes that never leave a half-written file."""
