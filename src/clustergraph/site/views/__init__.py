"""Page contexts: plain data for the templates, one module per family of page."""
