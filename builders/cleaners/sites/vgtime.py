"""游戏时光: editable image-notice captions and the hidden inputs of its editor."""

from __future__ import annotations

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element

# Rule editor_widgets: `vg_insert_img_onfocus` toolbars around inserted images.
WIDGET_CLASSES = frozenset({"vg_insert_img_onfocus"})


@register
class VgtimeCleaner(Cleaner):
    name = "vgtime"
    sources = frozenset({"游戏时光"})

    def skip(self, tag: Element, found: Found) -> bool:
        return bool(self.classes(tag) & WIDGET_CLASSES)
