"""The language of a text: an ISO 639-1 code (or `und`) and a score, from Google's CLD2.

The identifier is CLD2 through `pycld2` (Apache-2.0; the CLD2 library and the n-gram tables compiled
into its extension are Apache-2.0 too). It runs fully offline, needs no model file, and is
deterministic: the same text gives the same code and the same float. It was chosen over lingua,
fastText's `lid.176.ftz` (CC BY-SA 3.0 model), CLD3 and py3langid on invented texts of each kind
and on the real sample (`benchmarks/bench_annotate.py` prints the table): it was the only one right on
every real post (lingua calls a traditional-Chinese anime post with a Japanese author's name in kana
Japanese; fastText calls a short Japanese post English), at 0.4 ms per post.

Rules, in order:

1. The text is prepared: URLs, e-mail addresses, `@handles`, `#hashtags` and the PII placeholders
   (`[EMAIL]`, …) are removed; control characters, non-characters and lone surrogates (which CLD2
   rejects) become spaces.
2. Fewer than `MIN_LETTERS` (3) letters left (`str.isalpha`: each Han, kana or Hangul character is
   one letter, and so is each Latin letter) -> (`und`, 0.0). Empty text, numbers, emoji and
   punctuation only, and one- or two-character replies (`好`, `哈哈`, `ok`) land here.
3. CLD2 is asked with `isPlainText=True` and without its best-effort mode, so it keeps its own
   minimum of evidence: when it answers `un` (unknown; short texts such as `Thanks!` or `转发了`),
   the result is (`und`, 0.0).
4. Japanese needs hiragana: when CLD2's top language is `ja` but hiragana make less than
   `MIN_HIRAGANA_SHARE` (10 %) of the text's Han and kana characters, CLD2 is asked again on the
   text with its kana removed, and that answer stands (rules 3 and 5 apply to it). Japanese prose
   writes its particles and endings in hiragana (a third or more of its characters); Chinese text
   that names a Japanese creator or work in kana (`カルロ・ゼン`, anime news) has none or a few, and
   CLD2 calls a short such text Japanese on the kana alone.
5. Otherwise its top language: `zh` for both `zh` and `zh-Hant` (the script is a separate field),
   legacy codes mapped to current ones (`iw` -> `he`, `in` -> `id`, `jw` -> `jv`), and `und` for
   languages with no two-letter ISO 639-1 code (e.g. `haw`, `ceb`). The score is CLD2's share of
   the text's bytes it gives to that language (0.0–1.0, in steps of 0.01; UTF-8 bytes, so a
   Chinese character weighs three times a Latin letter).
"""

from __future__ import annotations

import re

import pycld2

from builders.annotate.script import script_counts
from schemas.record import PII_PLACEHOLDER, UNDETERMINED_LANGUAGE

MIN_LETTERS = 3
MIN_HIRAGANA_SHARE = 0.10
UNDETERMINED = UNDETERMINED_LANGUAGE

_LEGACY_CODES = {"iw": "he", "in": "id", "jw": "jv", "ji": "yi", "mo": "ro"}

_NOT_LANGUAGE = re.compile(
    r"(?:https?|ftp)://\S+"  # URLs
    r"|www\.\S+"
    # e-mail addresses; a match starts only where a run of local-part characters starts: without the lookbehind a
    # long run with no `@` (a Chinese paragraph is one `\w` run up to its first punctuation) is rescanned from
    # every position, quadratic (100,000 characters took 81 s); with it the search is linear. Like the PII rule, an
    # address glued after a handle or another address (`@a+b@c.cn`) is then not one (tagger version 2)
    r"|(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[@#][\w.-]+"  # @handles and #hashtags
    r"|" + PII_PLACEHOLDER  # builders.annotate.pii placeholders
)

_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_REJECTED_BY_CLD2 = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff" + re.escape(_NONCHARACTERS) + "]"
)
# The same characters, as ``prepare`` finds them fast: Python's regex engine scans a class holding characters
# beyond U+FFFF at ~90 ns a character (a 1,700-character post: 156 us), the BMP part alone at ~5 ns (9 us), and
# a beyond-BMP character is looked for with ``in``, which a text without any returns from at once.
_REJECTED_IN_BMP = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ud800-\udfff\ufffe\uffff]")
_REJECTED_BEYOND_BMP = _NONCHARACTERS[2:]
# Every match of ``_NOT_LANGUAGE`` holds one of these (a URL `://` or `www.`, an address or handle `@`, a hashtag
# `#`, a placeholder `[`): a text without any is left as it is, without the costly scan of its alternatives.
_NOT_LANGUAGE_MARKS = ("://", "www.", "@", "#", "[")


_HIRAGANA = re.compile("[\u3041-\u309f]")
_KANA = re.compile("[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


def prepare(text: str) -> str:
    """The text CLD2 is given: rule 1 of the module docstring (what ``_REJECTED_BY_CLD2.sub(" ",
    _NOT_LANGUAGE.sub(" ", text))`` gives, in a twentieth of its time; the tests hold the two equal)."""
    if any(mark in text for mark in _NOT_LANGUAGE_MARKS):
        text = _NOT_LANGUAGE.sub(" ", text)
    text = _REJECTED_IN_BMP.sub(" ", text)
    for char in _REJECTED_BEYOND_BMP:
        if char in text:
            text = text.replace(char, " ")
    return text


def _has_letters(text: str, wanted: int) -> bool:
    for char in text:
        if char.isalpha():
            wanted -= 1
            if wanted == 0:
                return True
    return False


def _iso639_1(code: str) -> str:
    base = code.split("-", 1)[0].lower()
    base = _LEGACY_CODES.get(base, base)
    return base if len(base) == 2 and base.isascii() and base.isalpha() and base != "un" else UNDETERMINED


def language_of(text: str) -> tuple[str, float]:
    """(ISO 639-1 code or `und`, score in [0, 1]) for `text`, by the rules in the module docstring."""
    prepared = prepare(text)
    if not _has_letters(prepared, MIN_LETTERS):
        return UNDETERMINED, 0.0
    language, score = _cld2(prepared)
    if language == "ja":
        kana = len(_KANA.findall(prepared))
        hiragana = len(_HIRAGANA.findall(prepared))
        if hiragana < MIN_HIRAGANA_SHARE * (kana + script_counts(prepared).han):
            language, score = _cld2(_KANA.sub(" ", prepared))
    return language, score


def _cld2(text: str) -> tuple[str, float]:
    try:
        _reliable, _bytes, details = pycld2.detect(text, isPlainText=True)
    except pycld2.error:
        return UNDETERMINED, 0.0
    _name, code, percent, _score = details[0]
    language = _iso639_1(code)
    if language == UNDETERMINED:
        return UNDETERMINED, 0.0
    return language, percent / 100
