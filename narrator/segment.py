"""Sentence segmentation for news prose.

pySBD proposes the sentence boundaries; news-specific rules then confirm, veto or add
boundaries where its general-purpose rules go wrong on wire copy:

* datelines (``KYIV, Ukraine (AP) —``, ``ALBANY, N.Y. (AP) —``) are never split;
* titles before a name (``Gen.``, ``Sen.``, ``Dr.``, ``St.`` …) never end a sentence;
* party tags (``Sen. Ron Wyden, D-Ore., said``) and ``No. 10``, ``Jan. 5``, ``vs.``;
* ``a.m.``/``p.m.`` end a sentence unless a weekday, month or time zone follows, or
  the time opens the sentence (``At 7 a.m. Dr. Lee opened the clinic.``);
* a dotted abbreviation or an initial (``U.S.``, ``D.C.``, ``J.R.R.``, ``W.``) followed by
  a capitalised word ends a sentence only when that word typically starts one
  (``It``, ``The``, ``But``, ``How`` …): ``the U.S. Navy`` stays whole, ``in the U.S. But``
  is split;
* company suffixes and ``Jr.``/``Sr.`` end a sentence before a capitalised word unless it
  continues a name or a job title (``Apple Inc. Chief Executive``);
* a full sentence in parentheses ends at the closing bracket;
* an ellipsis after a full stop (``. . . .``) stays with the sentence it follows.

Very long sentences are split elsewhere (:func:`narrator.script.split_long`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["split_sentences"]

_PYSBD_LANGUAGES = frozenset("en hi mr zh es am ar hy bg ur ru pl fa nl da fr my el it ja de kk sk".split())

# Words that commonly open a sentence in news copy. After an abbreviation that can also end a
# sentence ("U.S.", "D.C.", "Inc.", an initial) one of these means a new sentence starts.
_STARTERS = frozenset(
    """
    A An The This That These Those It Its It's He She They We I You His Her Their Our My Your
    There Here But And Or So Yet However Meanwhile Still Then Now Also Instead Later Earlier
    Today Yesterday Tomorrow Last Next In On At For After Before When While If As Although
    Though Since Because By With Without During Despite Under Over From To Some Many Most All
    Both Each Every No Not Other Others One What Why How Who Whom Whose Where Which Whether Did
    Do Does Is Are Was Were Will Would Can Could Should May Might Must Has Have Had Yes Nobody
    Nothing Everyone Everybody Officials Police Experts Critics Analysts Residents Witnesses
    Authorities Investigators Prosecutors Lawmakers Voters Details Results Shares Prices
    Such Even Only Just Few Several Neither Either Nor Thus Indeed Asked According
    """.split()
)

_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTHS = "January February March April May June July August September October November December".split()
_AFTER_TIME = frozenset(
    _WEEKDAYS
    + _MONTHS
    + """Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thurs Fri Sat Sun
    ET EST EDT CT CST CDT MT MST MDT PT PST PDT GMT BST UTC CET CEST IST JST AEST AEDT HKT
    Eastern Central Mountain Pacific Greenwich Moscow Kyiv Beijing Tokyo local""".split()
)

# Titles said before a name: a full stop after one never ends a sentence.
_TITLES = (
    r"Mr|Mrs|Ms|Messrs|Mmes|Mme|Mlle|Dr|Drs|Gen|Gens|Sen|Sens|Rep|Reps|Gov|Govs|Lt|Col|Sgt|Capt|"
    r"Cmdr|Cdr|Adm|Maj|Cpl|Pvt|Pfc|Spc|Rev|Revs|Prof|Profs|Pres|Supt|Insp|Det|Atty|Sec|Secs|Amb|"
    r"Hon|Msgr|Fr|Ald|Brig|Mt|Ft|Rt|Sra|Srta|Gov|Cmdr|Hosp|Ens|Sup|Asst|Assoc|Dist|Sup"
)
_TITLE_END = re.compile(rf"(?<![\w.])(?:{_TITLES})\.$")
# Streets or titles: "St. Louis" (Saint) or "on Main St. It" (Street).
_TITLE_OR_PLACE_END = re.compile(r"(?<![\w.])(?:St|Dr|Ave|Blvd|Rd)\.$")
_NUMBERED_END = re.compile(
    r"(?<![\w.])(?:No|Nos|Vol|Vols|p|pp|Art|Arts|Fig|Figs|Ch|ch|Sec|Para|para|Rte|Hwy|Apt|Ste|Ex|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Nr|no|nos|vol)\.$"
)
_APPROX_END = re.compile(r"(?<![\w.])(?:approx|ca|c|est|abt|appx)\.$")
_VERSUS_END = re.compile(r"(?<![\w.])(?:vs|v|cf|viz|al|ibid|incl|excl|re|resp)\.$")
_MERIDIEM_END = re.compile(r"(?<![\w.])[AaPp]\.[Mm]\.$")
_INTRO_TIME = re.compile(
    r"(?:^|[.!?][\"'”’)]*\s+)(?:(?:Shortly|Just|Sometime|Starting|Beginning|Until|Till|Around|About|"
    r"By|At|Before|After|From|Since|Early|Late|Then|Until|Between)\b\s*){1,2}(?:at\s+|on\s+|after\s+|"
    r"before\s+)?\d{1,2}(?::\d\d)?\s*[AaPp]\.[Mm]\.$"
)
_DOTTED_END = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}$")
_INITIAL_END = re.compile(r"(?<![\w.'’])[A-Z]\.$")
_POSTPOSITIVE_END = re.compile(
    r"(?<![\w.])(?:Jr|Sr|Inc|Co|Cos|Corp|Ltd|LLC|Llc|Bros|Plc|plc|PLC|Assn|Dept|Univ|Intl|Ph\.D|etc)\.$"
)
# Capitalised words that continue a name or a title after "Inc." or "Jr.".
_CONTINUES_NAME = frozenset(
    """Chief CEO CFO COO Chairman Chairwoman Chair President Vice Executive Founder Director
    Spokesman Spokeswoman Spokesperson Senior Managing General Board Day Boulevard Blvd Drive
    Avenue Street Memorial High Elementary Middle School Hospital Foundation Center Centre Library
    Park Bridge Award Prize Holiday Stadium Arena Airport""".split()
)
_PARTY_TAG_END = re.compile(r"\b[DRIL]-[A-Z][\w.]*\.$")
_CLOSING_PAREN_SENTENCE = re.compile(r"\(([^()]*)[.!?][\"'”’]*\)$")
_ELLIPSIS_START = re.compile(r"(?:\.\s?){2,}\.|…")
_LIST_MARKER = re.compile(r"[a-z][.)]\s")
_NUMBER_MARKER = re.compile(r"(?:\d{1,3}|[ivx]{1,4})[.)]{1,2}\s")
_INLINE_ITEM = re.compile(r"\d{1,3}[.)]{1,2}\s+[a-z]")
# An initial follows a capitalised name or another initial, or opens the text: "Harry S.", "J. K.".
_LETTER_WORD_END = re.compile(r"(?:^|\s)[a-z][\w'’-]*\s+[A-Z]\.$")
_NAME_BEFORE = re.compile(r"(?:^|(?:^|\s)(?:[A-Z][\w'’-]*\.?|[A-Z]\.)\s+)[A-Z]\.$")
_CANDIDATE = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,}(?:,\s+[A-Z][\w.'’ -]{1,30}?)?(?:,?\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2})?"
    r"\s*(?:\([^()]{1,40}\)\s*)?(?:—|–|--|-)\s"
)
_WORD = re.compile(r"[\"'“‘(\[]*([\w'’&-]+)")


@functools.cache
def _segmenter(language: str) -> Any:
    import pysbd

    return pysbd.Segmenter(language=language, clean=False)


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Split a paragraph into sentences, each stripped of surrounding whitespace.

    ``language`` is a BCP 47 tag; the news rules apply to English, other languages get
    pySBD's own rules where it has them (English otherwise).
    """
    if not text or not text.strip():
        return []
    primary = (language or "en").split("-")[0].split("_")[0].lower()
    english = primary == "en" or primary not in _PYSBD_LANGUAGES
    segmenter = _segmenter("en" if english else primary)
    try:
        proposed = _pysbd_boundaries(text, segmenter.segment(text))
    except Exception:  # pySBD's regexes can fail on odd input; fall back to our own candidates
        proposed = set()
    boundaries = _decide_all(text, proposed) if english else proposed
    out: list[str] = []
    start = 0
    for cut in sorted(boundaries):
        piece = text[start:cut].strip()
        if piece:
            out.append(piece)
        start = cut
    last = text[start:].strip()
    if last:
        out.append(last)
    return out


def _pysbd_boundaries(text: str, segments: list[str]) -> set[int]:
    """Offsets in ``text`` where pySBD starts a sentence (after any whitespace)."""
    cuts: set[int] = set()
    position = 0
    for index, segment in enumerate(segments):
        found = text.find(segment, position) if segment else -1
        if found < 0:
            found = text.find(segment.strip(), position) if segment.strip() else -1
            if found < 0:
                continue
        if index:
            cuts.add(_skip_space(text, found))
        position = found + len(segment.strip() or segment)
    cuts.discard(0)
    return {c for c in cuts if c < len(text)}


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _decide_all(text: str, proposed: set[int]) -> set[int]:
    """Apply the news rules to pySBD's boundaries and to every other candidate."""
    dateline = _DATELINE.match(text)
    protected_until = dateline.end() if dateline else 0
    shifted: set[int] = set()
    for cut in proposed:
        ellipsis = _ELLIPSIS_START.match(text, cut)
        if ellipsis:  # "…arrived. | . . . The next" → "…arrived. . . . | The next"
            after = _skip_space(text, ellipsis.end())
            if after < len(text) and text[after].isupper():
                shifted.add(after)
            continue
        shifted.add(cut)
    candidates = {m.end() for m in _CANDIDATE.finditer(text) if m.end() < len(text)}
    out: set[int] = set()
    for cut in shifted | candidates:
        if cut <= protected_until:
            continue
        verdict = _decide(text[:cut].rstrip(), text[cut:])
        if verdict is None:
            verdict = cut in shifted
        if verdict:
            out.add(cut)
    return out


def _first_word(right: str) -> str:
    match = _WORD.match(right)
    return match.group(1) if match else ""


def _decide(left: str, right: str) -> bool | None:
    """Whether a sentence boundary lies between ``left`` and ``right``; ``None``: ask pySBD."""
    if not left or not right:
        return None
    first = right[0]
    if _INLINE_ITEM.match(right):
        return False
    if _LIST_MARKER.match(right) or _NUMBER_MARKER.match(right):
        return None
    if first.islower():
        return False
    if first in ",;:)]}%" or right.startswith(("'s", "’s", "— ", "– ", "-- ")):
        return False
    if first == "." or right.startswith("…"):
        return False
    word = _first_word(right)
    capital = first.isupper() or (bool(word) and word[0].isupper())
    if _PARTY_TAG_END.search(left) and not capital:
        return False
    if _TITLE_END.search(left):
        return False
    if _TITLE_OR_PLACE_END.search(left):
        before = left[:-3].rstrip().rsplit(" ", 1)[-1] if " " in left else ""
        street = bool(before) and before[:1].isupper() and not left.endswith(("Rt.",))
        return bool(street and word in _STARTERS)
    if _VERSUS_END.search(left) and not left.endswith("etc."):
        return False
    if _NUMBERED_END.search(left) and (first.isdigit() or first in "#"):
        return False
    if _APPROX_END.search(left) and (first.isdigit() or first in "$€£¥₴"):
        return False
    if _MERIDIEM_END.search(left):
        if first == "(" or word in _AFTER_TIME:
            return False
        if _INTRO_TIME.search(left):
            return False
        return True if capital else None
    if _DOTTED_END.search(left):
        if first == "(" or first == "—":
            return False
        if capital:
            return word in _STARTERS
        return None
    if left.endswith(("…", "...")) and first.isupper():
        return True
    if _LETTER_WORD_END.search(left) and capital:  # "on X. Thanks", "vitamin C. It": a word
        return True
    if _INITIAL_END.search(left) and _NAME_BEFORE.search(left) and first.isalpha():
        if capital:
            return word in _STARTERS
        return None
    if _POSTPOSITIVE_END.search(left):
        if capital:
            return not (word in _CONTINUES_NAME or (word.isupper() and len(word) > 1 and word != "I"))
        return None
    paren = _CLOSING_PAREN_SENTENCE.search(left)
    if paren and capital and len(paren.group(1).split()) >= 3:
        return True
    return None
