"""Personal data in post text: detect e-mail addresses, mainland mobile numbers, resident ID numbers
and bank card numbers, and mask them with fixed placeholders.

What is detected (each rule is there to keep false positives out; see `tests/annotate/test_pii.py`):

- **E-mail address** (`email`): an ASCII local part (`A-Z a-z 0-9 . _ % + -`, not starting or
  ending with a dot) directly after a character that cannot be part of one, `@`, then a domain of
  dot-separated labels ending in an alphabetic top-level domain of 2–24 letters, not followed by
  a letter, digit or `-`. Not e-mail: `https://x.com/@user` and `@handles` (no local part),
  `pkg@1.2.3` (numeric "TLD"), `logo@2x.png` (TLDs that are image/web file extensions),
  `git@github.com:owner/repo` (SSH remote), `user:pass@host` in a URL (credentials, not mail).
  `mailto:a@b.cn` is an address and is masked.
- **Mainland mobile number** (`phone`): `1[3-9]` + 9 digits (11 digits), optionally after `+86`,
  `0086` or `86` (with an optional space or dash), written in one run or grouped 3-4-4 with spaces
  or dashes. Not preceded by a letter, digit, `_`, `.`, `/`, `=`, `#` or `-`, not followed by a
  digit or letter, and never inside a URL (`/u/13812345678` is a user id). Landlines and hotlines
  (`010-12345678`, `400-xxx-xxxx`, `95588`, `12345`) are not mobile numbers and are not touched.
- **Resident ID number** (`id_number`, GB 11643-1999): 17 digits + a check digit `0-9X` whose
  ISO 7064 MOD 11-2 checksum is right, a first digit pair that is a province code (11–15, 21–23,
  31–37, 41–46, 50–54, 61–65, 71, 81–83), and a birth date (digits 7–14) that is a real calendar
  day from 1900-01-01 to 2030-12-31 (a fixed bound, so that builds stay reproducible); not inside
  a longer run of digits or letters, never inside a URL.
- **Bank card number** (`bank_card`): 16–19 digits, in one run or grouped by four with single
  spaces or dashes, whose Luhn checksum is right and whose prefix is that of a card scheme used in
  China: UnionPay `62` (16–19 digits), Visa `4` (16 or 19), Mastercard `51`–`55` and
  `2221`–`2720` (16), JCB `3528`–`3589` (16–19). Not when the 16 characters before it name an
  order, waybill, transaction or serial number (`订单`, `单号`, `运单`, `流水`, `交易号`, `编号`,
  `序列号`, `order`, `tracking`, `txid`, `hash`, …), since those ids are long digit runs too and a
  tenth of them pass Luhn; not inside a URL; and an 18-character run that is a valid resident ID
  counts as an ID, not a card. Timestamps (`1764547200000000` starts with `1`), dates and amounts
  (`20261201`, `1234567890123`: too short) fail these rules.

What is masked, and why phones are:

- E-mail addresses -> `[EMAIL]`, ID numbers -> `[ID_NUMBER]`, card numbers -> `[BANK_CARD]`.
- Mobile numbers -> `[PHONE]`. The real sample (91 posts from 26 feeds, `/work/shared/corpus/raw`)
  holds no mobile number at all; the only phone-like numbers in it are public service hotlines in
  news (`12345`, the government service line), which are not in the mobile format and stay as they
  are. A mainland mobile number, in contrast, is registered to a person under real-name rules;
  businesses and newsrooms publish landlines, `400`/`800` or short `95xxx` hotlines. So masking the
  mobile format costs the news text nothing measurable while it protects the social-media part of
  the corpus (知乎, 简书, Mastodon; ~14,000 posts in the full crawl), where a mobile number is a
  private person's.

Only ASCII digits are read: numbers written in full-width digits (`１３８…`) are not detected.

Placeholders are bracketed upper-case words: they hold no `@` and no digit, so masking is idempotent
(a placeholder is never detected again: `mask_pii(mask_pii(t)[0]) == (mask_pii(t)[0], zero
counts)`), and they are not HTML-tag-like (the schema's body invariants reject `<...>`). Masking
never creates a new match: every digit rule needs a non-digit boundary, which a placeholder is.
"""

from __future__ import annotations

import re
from datetime import date

from schemas.record import PII_PLACEHOLDERS

PLACEHOLDERS: dict[str, str] = PII_PLACEHOLDERS
CATEGORIES: tuple[str, ...] = tuple(PLACEHOLDERS)

MIN_BIRTH = date(1900, 1, 1)
MAX_BIRTH = date(2030, 12, 31)
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'，。、；！？）】」]+|www\.[^\s<>\"'，。、；！？）】」]+", re.IGNORECASE)

_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+\-](?<![A-Za-z0-9._%+\-].)(?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?)"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*)"
    r"\.(?P<tld>[A-Za-z]{2,24})"
    r"(?![A-Za-z0-9\-])"
)
_FILE_TLDS = frozenset(["png", "jpg", "jpeg", "gif", "webp", "svg", "bmp", "ico", "css", "js", "json", "avif"])

# "not right after a letter, digit, _ . - / = #", checked after the first character is consumed: a
# pattern that starts with a character class lets `re` skip ahead to candidates (5x faster here).
_NOT_AFTER = r"(?<![A-Za-z0-9_.\-/=#].)"
_AFTER_NUMBER = r"(?![A-Za-z0-9])"
_MOBILE = re.compile(
    r"(?:(?:\+" + _NOT_AFTER + r"86|0" + _NOT_AFTER + r"086|8" + _NOT_AFTER + r"6)[ \-]?1|1" + _NOT_AFTER + r")"
    r"[3-9]\d(?:\d{8}|(?P<sep>[ \-])\d{4}(?P=sep)\d{4})" + _AFTER_NUMBER,
    re.ASCII,
)
_ID_NUMBER = re.compile(r"\d" + _NOT_AFTER + r"\d{16}[\dXx]" + _AFTER_NUMBER, re.ASCII)
_CARD = re.compile(
    r"\d" + _NOT_AFTER + r"(?:\d{15,18}|\d{3}(?P<sep>[ \-])\d{4}(?P=sep)\d{4}(?P=sep)\d{4}(?:(?P=sep)\d{1,3})?)"
    r"(?![A-Za-z0-9]|[ \-]\d)",
    re.ASCII,
)
_DIGIT = re.compile(r"[0-9]")
_CARD_CONTEXT_WINDOW = 16
_NOT_A_CARD_CONTEXT = re.compile(
    r"订单|单号|运单|快递|物流|流水|交易号|交易单|编号|序列号|序号|工单|批次|条码|"
    r"order|tracking|waybill|invoice|serial|txid|tx\s*hash|hash|block|区块",
    re.IGNORECASE,
)


def _url_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _URL.finditer(text)]


class _UrlSpans:
    """The URL spans of one text, found on the first question (most texts have no candidate at all)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] | None = None

    def contain(self, start: int, end: int) -> bool:
        if self.spans is None:
            self.spans = _url_spans(self.text)
        return any(a <= start and end <= b for a, b in self.spans)


def is_email(match: re.Match[str], text: str, url_spans: list[tuple[int, int]]) -> bool:
    """Whether an e-mail-shaped match is an address (the exclusions of the module docstring)."""
    if match["tld"].lower() in _FILE_TLDS:
        return False
    if match["local"].lower() == "git" and text.startswith(":", match.end()):
        return False
    start = match.start()
    if start > 0 and text[start - 1] == ":":
        # user:pass@host in a URL's authority: inside a URL, with no '/' between its '//' and here
        for a, b in url_spans:
            if a <= start < b:
                authority_start = text.find("//", a, start)
                return authority_start < 0 or "/" in text[authority_start + 2 : start]
    return True


def valid_id_number(candidate: str) -> bool:
    """GB 11643 resident ID: province code, real birth date in range, MOD 11-2 check digit."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    if int(candidate[:2]) not in PROVINCE_CODES:
        return False
    try:
        birth = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    if not MIN_BIRTH <= birth <= MAX_BIRTH:
        return False
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == candidate[17].upper()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) checksum of a digit string."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = int(char)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_prefix_ok(digits: str) -> bool:
    """Whether a 16–19 digit number has the prefix and length of a card scheme used in China."""
    n = len(digits)
    if digits.startswith("62"):
        return 16 <= n <= 19
    if digits.startswith("4"):
        return n in (16, 19)
    if n == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
        return True
    return 3528 <= int(digits[:4]) <= 3589 and 16 <= n <= 19


def valid_card_number(digits: str) -> bool:
    """16–19 digits, a scheme's prefix, a right Luhn checksum (not a valid resident ID)."""
    return (
        16 <= len(digits) <= 19
        and digits.isdigit()
        and card_prefix_ok(digits)
        and luhn_valid(digits)
        and not (len(digits) == 18 and valid_id_number(digits))
    )


def _card_context_says_id(text: str, start: int) -> bool:
    return _NOT_A_CARD_CONTEXT.search(text, max(0, start - _CARD_CONTEXT_WINDOW), start) is not None


def _sub(pattern: re.Pattern[str], text: str, keep: object, placeholder: str) -> tuple[str, int]:
    """Replace the matches of `pattern` for which `keep(match, text)` holds; return the new text and count."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if keep(match, text):  # type: ignore[operator]
            count += 1
            return placeholder
        return match[0]

    masked = pattern.sub(replace, text)
    return (masked, count) if count else (text, 0)


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """Mask e-mails, mobiles, ID and card numbers in `text`; return the masked text and counts per category.

    The counts have every key of `CATEGORIES`, zero when nothing was found; the text is returned
    unchanged (the same object) when nothing was masked.
    """
    counts = dict.fromkeys(CATEGORIES, 0)
    if not text:
        return text, counts
    if "@" in text:
        spans = _url_spans(text)
        text, counts["email"] = _sub(_EMAIL, text, lambda m, t: is_email(m, t, spans), PLACEHOLDERS["email"])
    if _DIGIT.search(text) is None:
        return text, counts

    spans = _UrlSpans(text)
    text, counts["id_number"] = _sub(
        _ID_NUMBER,
        text,
        lambda m, t: valid_id_number(m[0]) and not spans.contain(*m.span()),
        PLACEHOLDERS["id_number"],
    )
    if counts["id_number"]:
        spans = _UrlSpans(text)
    text, counts["bank_card"] = _sub(
        _CARD,
        text,
        lambda m, t: (
            not spans.contain(*m.span())
            and valid_card_number(re.sub(r"[ \-]", "", m[0]))
            and not _card_context_says_id(t, m.start())
        ),
        PLACEHOLDERS["bank_card"],
    )
    if counts["bank_card"]:
        spans = _UrlSpans(text)
    text, counts["phone"] = _sub(
        _MOBILE,
        text,
        lambda m, t: not spans.contain(*m.span()),
        PLACEHOLDERS["phone"],
    )
    return text, counts


def detect_pii(text: str) -> dict[str, int]:
    """Counts per category of what `mask_pii` would mask."""
    return mask_pii(text)[1]
