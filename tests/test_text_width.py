"""Terminal widths of table cells: the fast path (printable ASCII, the main CJK ideograph
blocks) answers as wcwidth does, character by character and for mixtures."""

from __future__ import annotations

import random

from wcwidth import wcswidth

from hetao_kg.query.results import _PLAIN, _width


def test_every_character_of_the_fast_path_has_wcwidths_width():
    chars = [chr(c) for c in [*range(0x20, 0x7F), *range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]]
    assert all(_PLAIN.fullmatch(ch) for ch in chars)
    for ch in chars:
        assert _width(ch) == wcswidth(ch), hex(ord(ch))


def test_mixtures_and_other_text_have_wcwidths_width():
    rng = random.Random(7)
    pool = ["H", "K", "U", " ", "(", "香", "港", "大", "學", "㐀", "（", "·", "é", "\u0301", "\u200b", "😀", "ｈ"]
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        want = wcswidth(text)
        assert _width(text) == (want if want >= 0 else len(text)), text
