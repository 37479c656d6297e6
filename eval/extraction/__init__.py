"""Evaluation of article extraction: our hand-written pages, stanwire against trafilatura (see README.md)."""
