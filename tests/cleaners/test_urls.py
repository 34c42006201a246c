"""Head images and image URLs: placeholders dropped, proxies unwrapped, only http(s) with a host."""

from __future__ import annotations

import pytest

from builders.cleaners.urls import real_image


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://img.example.com/a.jpg", "https://img.example.com/a.jpg"),
        ("https://picsum.photos/400/300?random=1535", None),
        ("https://www.jianshu.com/p/undefined", None),
        ("https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png", None),
        ("https://cors.zfour.workers.dev/?https://img.example.com/b.png", "https://img.example.com/b.png"),
        ("https://proxy.example.net/image?url=https%3A%2F%2Fimg.example.com%2Fc.png", "https://img.example.com/c.png"),
        ("//img.example.com/d.jpg", "https://img.example.com/d.jpg"),
        ("javascript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("/relative/path.png", None),
        ("", None),
        (None, None),
        ("https://img.example.com/a b.jpg", None),
    ],
)
def test_real_image(raw: str | None, expected: str | None) -> None:
    assert real_image(raw) == expected
