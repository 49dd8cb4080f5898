"""Counting words for people: '1 account', '2 accounts' (never '1 accounts')."""
from __future__ import annotations


def plural(n: int, word: str, many: str = "") -> str:
    """n and the word, in the plural unless n is 1 (many: an irregular plural)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"
