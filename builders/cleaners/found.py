"""What a cleaner finds besides the text itself: the structured fields of the record."""

from __future__ import annotations

from dataclasses import dataclass, field

from builders.cleaners.urls import normalise_url, real_image


@dataclass
class Found:
    """What a cleaner finds besides the text itself; fields of the record."""

    images: list[str] = field(default_factory=list)
    stock_codes: list[str] = field(default_factory=list)
    editor: str | None = None
    byline: str | None = None
    original_title: str | None = None
    attribution: str | None = None
    url: str | None = None
    truncated: bool = False
    # The images already kept, for a constant-time duplicate check (``images`` keeps their order).
    _image_set: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def add_image(self, raw: str | None) -> None:
        url = real_image(raw)
        if url is not None and url not in self._image_set:
            self._image_set.add(url)
            self.images.append(url)

    def add_stock_code(self, code: str) -> None:
        if code not in self.stock_codes:
            self.stock_codes.append(code)

    def set_url(self, raw: str | None) -> None:
        """Keep the first http(s) address of the original post."""
        if self.url is None:
            self.url = normalise_url(raw)
