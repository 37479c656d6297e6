"""Dependency-tree helpers shared by the spaCy and natasha views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def subtree_indexes(children: Mapping[int, Sequence[int]], index: int) -> list[int]:
    """Token indexes of the subtree of token `index`, sorted. Safe on a parse with a cycle (natasha's parser
    occasionally makes two words head each other): every index is visited once."""
    found: set[int] = set()
    stack = [index]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return sorted(found)
