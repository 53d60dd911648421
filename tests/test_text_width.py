"""Terminal widths of table cells: the fast path (printable ASCII, Latin-1, general
punctuation, the main CJK ideograph blocks, CJK punctuation, fullwidth forms) answers as
wcwidth does, character by character and for mixtures."""

from __future__ import annotations

import random

from wcwidth import wcswidth

from hetao_kg.query.results import _fast_width, _width

RANGES = [(0x20, 0x7F), (0xA0, 0x100), (0x2010, 0x2028), (0x3000, 0x302A), (0x3030, 0x303F),
          (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xFF01, 0xFF61)]


def test_every_character_of_the_fast_path_has_wcwidths_width():
    assert _fast_width("\u302a") is None and _fast_width("\u303f") is None and _fast_width("\uff61") is None
    chars = [chr(c) for a, b in RANGES for c in range(a, b)]
    for ch in chars:
        assert _fast_width(ch) is not None and _width(ch) == wcswidth(ch), hex(ord(ch))
    outside = [chr(c) for c in range(0x10000) if not any(a <= c < b for a, b in RANGES)]
    assert all(_fast_width(ch) is None for ch in outside)


def test_the_fast_path_takes_the_texts_of_its_characters_only():
    """Exactly the texts a regular expression of the ranges matches (what it was before)."""
    import re

    plain = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b - 1:04x}" for a, b in RANGES) + "]*")
    rng = random.Random(22)
    pool = [chr(c) for a, b in RANGES for c in (a, b - 1)] + ["\u302a", "\u303f", "\uff61", "\x7f", "\x1f", "\u2028",
                                                             "😀", "\u0301", "\u9fff", "\ua000"]
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert (_fast_width(text) is not None) == bool(plain.fullmatch(text)), ascii(text)


def test_mixtures_and_other_text_have_wcwidths_width():
    rng = random.Random(7)
    pool = ["H", "K", "U", " ", "(", "香", "港", "大", "學", "㐀", "（", "·", "é", "\u0301", "\u200b", "😀", "ｈ",
            "…", "、", "「", "—", "\u302a", "\u303f", "\u00ad", "\uff61"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        want = wcswidth(text)
        assert _width(text) == (want if want >= 0 else len(text)), text
