"""Evaluation of stanwire's NLP against our gold set (see docs/annotation-guidelines.md)."""
