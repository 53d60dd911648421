"""Terminal widths of table cells: the fast path (printable ASCII, Latin-1, general
punctuation, the main CJK ideograph blocks, CJK punctuation, fullwidth forms) answers as
wcwidth does, character by character and for mixtures."""

from __future__ import annotations

import random

from wcwidth import wcswidth

from hetao_kg.query.results import _PLAIN, _width


def test_every_character_of_the_fast_path_has_wcwidths_width():
    assert not _PLAIN.fullmatch("\u302a") and not _PLAIN.fullmatch("\u303f") and not _PLAIN.fullmatch("\uff61")
    ranges = [(0x20, 0x7F), (0xA0, 0x100), (0x2010, 0x2028), (0x3000, 0x302A), (0x3030, 0x303F),
              (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xFF01, 0xFF61)]
    chars = [chr(c) for a, b in ranges for c in range(a, b)]
    assert all(_PLAIN.fullmatch(ch) for ch in chars)
    for ch in chars:
        assert _width(ch) == wcswidth(ch), hex(ord(ch))


def test_mixtures_and_other_text_have_wcwidths_width():
    rng = random.Random(7)
    pool = ["H", "K", "U", " ", "(", "香", "港", "大", "學", "㐀", "（", "·", "é", "\u0301", "\u200b", "😀", "ｈ",
            "…", "、", "「", "—", "\u302a", "\u303f", "\u00ad", "\uff61"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        want = wcswidth(text)
        assert _width(text) == (want if want >= 0 else len(text)), text
