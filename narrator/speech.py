"""Spoken forms: turn written text into what a newsreader would say.

This module owns every text rewrite made for the ear; the script stage calls
:func:`spoken` once per sentence. The result is plain text that a Piper/espeak English
voice reads well: numbers, money, dates, times, units and abbreviations in words, no
digits left, no symbol the engine would mispronounce, sentence punctuation kept because
it shapes the prosody.

Conventions (documented choices):

* ``en``, ``en-US`` (and any other English) read the American way; ``en-GB``, ``en-AU``,
  ``en-IE``, ``en-NZ`` and ``en-ZA`` the British way. They differ in three places: dates
  ("January twenty-second, twenty twenty-five" against "the twenty-second of January,
  twenty twenty-five"), "and" inside numbers ("one hundred five" against "one hundred and
  five") and unit spellings (kilometers/kilometres), which the engine says alike.
* Years are read as years ("eighteen eighty-seven", "two thousand five", "twenty
  twenty-five") after a year cue ("in", "since", a month …) or when no counted noun
  follows; "1,887 people" and "1887 people" are numbers.
* Acronyms spelled letter by letter come out as capital letters separated by spaces
  ("F B I"); the letter A is written "Eh", because espeak reads a lone "A" as the
  article. Acronyms said as words come out capitalised ("Nato"); ALL-CAPS English words
  come out in lower case.
* Links are read as their host name ("example dot com") or skipped (``links="skip"``);
  e-mail addresses are read in full, or skipped.
* Text in ``[[ … ]]`` is raw espeak phonemes (what the pronunciation lexicon produces) and
  is passed through untouched.

:func:`spoken` never raises: on input that defeats the rules it falls back to a plain
reading with digits spelled one by one.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .lexicon import Lexicon

__all__ = ["LinkMode", "is_british", "spoken", "spoken_date"]

LinkMode = Literal["short", "skip"]
"""How links and e-mail addresses are read: as a short form, or not at all."""

_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()

_BRITISH = ("en-gb", "en-uk", "en-au", "en-ie", "en-nz", "en-za", "en-in")


def is_british(language: str) -> bool:
    """Whether ``language`` reads dates and numbers the British way (en-GB, en-AU, en-IE …)."""
    tag = (language or "").strip().lower().replace("_", "-")
    return tag.startswith(_BRITISH)


def spoken(
    text: str,
    language: str = "en",
    *,
    lexicon: Lexicon | None = None,
    links: LinkMode = "short",
) -> str:
    """The form of ``text`` handed to the engine.

    ``lexicon`` entries are applied first (their output is final); ``links`` says whether
    URLs and e-mail addresses are read as a short form or skipped. Non-English languages
    get only the language-neutral clean-up and the lexicon.
    """
    try:
        return _spoken(str(text), language or "en", lexicon, links)
    except Exception:  # a rule failed on odd input: the narration must go on
        return _fallback(str(text))


def spoken_date(iso: str, language: str = "en") -> str | None:
    """An ISO 8601 date (or date-time) as written for the ear: "October 28, 2026" or "28 October 2026".

    The result is text for :func:`spoken`, which reads it in words; ``None`` when ``iso``
    does not start with a valid date.
    """
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    name = _MONTH_NAMES[month - 1]
    if is_british(language) or not (language or "en").lower().startswith("en"):
        return f"{day} {name} {year}"
    return f"{name} {day}, {year}"


# ---------------------------------------------------------------------------------------------
# Driver


def _spoken(text: str, language: str, lexicon: Lexicon | None, links: LinkMode) -> str:
    text = _normalise(text)
    english = language.strip().lower().replace("_", "-").startswith("en")
    if english:
        text = _dateline(text)
    # Lexicon output and [[ ]] blocks are final: while the rules run, each stands in the text
    # as a capitalised placeholder word, so that the rules around it still see a name there.
    finals: list[str] = []
    parts: list[str] = []
    for chunk, final in _spans(text, lexicon):
        if final and len(finals) < _MAX_FINALS:
            parts.append(_placeholder(len(finals)))
            finals.append(chunk)
        else:
            parts.append(_PLACEHOLDER.sub(" ", chunk))
    text = "".join(parts)
    if english:
        text = _Reader(gb=is_british(language), links=links).read(text)
    text = _finish(text, english=english)
    text = _PLACEHOLDER.sub(lambda m: _restore(m, finals), text)
    if english and re.match(r"[^\w\[]*[A-Z0-9$€£¥₴#@]", "".join(parts)):
        text = re.sub(r"^([^\w\[]*)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return text


_PLACEHOLDER = re.compile(r"Qxzv([a-z]{3})")
_MAX_FINALS = 26**3


def _placeholder(index: int) -> str:
    letters = ""
    for _ in range(3):
        index, rest = divmod(index, 26)
        letters = chr(ord("a") + rest) + letters
    return f"Qxzv{letters}"


def _restore(match: re.Match[str], finals: list[str]) -> str:
    index = 0
    for ch in match.group(1):
        index = index * 26 + ord(ch) - ord("a")
    return finals[index] if index < len(finals) else ""


def _spans(text: str, lexicon: Lexicon | None) -> list[tuple[str, bool]]:
    """Split ``text`` into (chunk, final) pieces: lexicon output and ``[[ ]]`` blocks are final."""
    if lexicon is not None:
        return lexicon.spans(text)
    out: list[tuple[str, bool]] = []
    position = 0
    for match in _PHONEME_BLOCK.finditer(text):
        if match.start() > position:
            out.append((text[position : match.start()], False))
        out.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        out.append((text[position:], False))
    return out


_PHONEME_BLOCK = re.compile(r"\[\[.*?\]\]", re.S)


def _fallback(text: str) -> str:
    """A plain reading for input the rules could not handle."""
    try:
        out = []
        for ch in text:
            if ch.isdigit():
                value = unicodedata.digit(ch, None)
                out.append(f" {_ONES[value]} " if value is not None else " ")
            elif ch.isalpha() or ch in " .,;:!?'-" or ch.isspace():
                out.append(ch)
            else:
                out.append(" ")
        return re.sub(r"\s+", " ", "".join(out)).strip()
    except Exception:
        return ""


# ---------------------------------------------------------------------------------------------
# Characters

_PUNCT = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "″": '"',
        "…": "...",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2015": "—",
        "\ufe58": "—",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u3000": " ",
        "\t": " ",
        "\n": " ",
        "\r": " ",
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "º": "°",
        "˚": "°",
        "∶": ":",
        "⁄": "/",
        "∕": "/",
        "／": "/",
        "％": "%",
        "＄": "$",
        "＆": "&",
        "＋": "+",
    }
)
_THIN_THOUSANDS = re.compile(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}\b)")


def _normalise(text: str) -> str:
    text = _THIN_THOUSANDS.sub(",", text)
    text = text.translate(_PUNCT)
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch >= " " or ch == "\n" else " ")
            continue
        category = unicodedata.category(ch)
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch, 0)))
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


_DATELINE = re.compile(
    r"^\s*([A-Z][A-Z.'’ -]*[A-Z.])((?:,\s+[A-Z][\w.' -]{1,30}?)?)\s*(?:\((?:AP|Reuters|AFP|CNN|UPI|dpa|DPA|"
    r"Xinhua|Bloomberg|PA|ANI|IANS|Kyodo|Yonhap|TASS|Tass|RTE|BBC|NPR|CNS|RNS)\)\s*)?(?:—|–|--|-)\s+"
)


def _dateline(text: str) -> str:
    """ "KYIV, Ukraine (AP) — Russian forces" → "Kyiv, Ukraine — Russian forces"."""
    match = _DATELINE.match(text)
    if not match or len(match.group(1)) < 3:
        return text
    place = " ".join(w.capitalize() if "." not in w else w.title() for w in match.group(1).split())
    return f"{place}{match.group(2)} — {text[match.end() :]}"


# ---------------------------------------------------------------------------------------------
# Number words

_ONES = "zero one two three four five six seven eight nine".split()


@functools.lru_cache(maxsize=8192)
def _cardinal(n: int, gb: bool) -> str:
    if n < 0:
        return "minus " + _cardinal(-n, gb)
    if n >= 10**15:
        return _digits(str(n))
    return _tidy(_num2words(n), gb)


@functools.lru_cache(maxsize=4096)
def _ordinal(n: int, gb: bool) -> str:
    if n >= 10**15 or n < 0:
        return _cardinal(n, gb)
    return _tidy(_num2words(n, "ordinal"), gb)


@functools.lru_cache(maxsize=4096)
def _year(n: int, gb: bool) -> str:
    if not 1000 <= n <= 9999:
        return _cardinal(n, gb)
    return _tidy(_num2words(n, "year"), gb)


def _num2words(n: int, to: str = "cardinal") -> str:
    """num2words' English words for ``n`` (imported on first use)."""
    convert = importlib.import_module("num2words").num2words
    return str(convert(n, lang="en", to=to))


def _tidy(words: str, gb: bool) -> str:
    words = words.replace(",", "")
    if not gb:
        words = words.replace(" and ", " ")
    return words


def _digits(s: str) -> str:
    return " ".join(_ONES[int(c)] for c in s if c.isdigit())


def _int_words(s: str, gb: bool) -> str:
    """Words for an integer as written, thousands separators allowed."""
    plain = s.replace(",", "")
    if not plain.isdigit():
        return _digits(plain)
    if len(plain) > 1 and plain.startswith("0"):
        return _digits(plain)
    return _cardinal(int(plain), gb)


def _number(s: str, gb: bool) -> str:
    """Words for a number as written: "1,234", "48.6", "0.5", ".5"."""
    s = s.strip()
    negative = s.startswith("-")
    s = s.lstrip("-+")
    if "." in s:
        whole, _, frac = s.partition(".")
        head = _int_words(whole, gb) if whole else ""
        words = f"{head} point {_digits(frac)}".strip() if frac else head
    else:
        words = _int_words(s, gb)
    return f"minus {words}" if negative else words


def _value(s: str) -> float:
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return 0.0


def _plural_word(words: str) -> str:
    """ "nineteen ninety" → "nineteen nineties"."""
    head, _, last = words.rpartition(" ")
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


# ---------------------------------------------------------------------------------------------
# Tables

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_MONTHS_FULL = {m.lower(): m for m in _MONTH_NAMES}
_MONTH_ABBR = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "sept": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|Nov\.?|Dec\.?)"
)


def _month(token: str) -> str:
    key = token.rstrip(".").lower()
    return _MONTHS_FULL.get(key) or _MONTH_ABBR.get(key, token)


# currency: (singular, plural, minor unit singular, minor plural, "cents" style)
_CURRENCIES: dict[str, tuple[str, str, str, str]] = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("U S dollar", "U S dollars", "cent", "cents"),
    "USD": ("U S dollar", "U S dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "CA$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "AU$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "NZD": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "HKD": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "S$": ("Singapore dollar", "Singapore dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "¥": ("yen", "yen", "", ""),
    "JPY": ("yen", "yen", "", ""),
    "CNY": ("yuan", "yuan", "", ""),
    "RMB": ("yuan", "yuan", "", ""),
    "₴": ("hrivnia", "hrivnias", "kopiyka", "kopiykas"),
    "UAH": ("hrivnia", "hrivnias", "kopiyka", "kopiykas"),
    "₹": ("rupee", "rupees", "", ""),
    "INR": ("rupee", "rupees", "", ""),
    "₽": ("rouble", "roubles", "", ""),
    "RUB": ("rouble", "roubles", "", ""),
    "₩": ("won", "won", "", ""),
    "KRW": ("won", "won", "", ""),
    "₦": ("naira", "naira", "", ""),
    "₪": ("shekel", "shekels", "", ""),
    "ILS": ("shekel", "shekels", "", ""),
    "₺": ("lira", "lira", "", ""),
    "TRY": ("lira", "lira", "", ""),
    "₱": ("peso", "pesos", "", ""),
    "CHF": ("Swiss franc", "Swiss francs", "", ""),
    "R$": ("real", "reais", "", ""),
    "BRL": ("real", "reais", "", ""),
    "MXN": ("peso", "pesos", "", ""),
    "ZAR": ("rand", "rand", "", ""),
    "SEK": ("krona", "kronor", "", ""),
    "NOK": ("krone", "kroner", "", ""),
    "DKK": ("krone", "kroner", "", ""),
    "PLN": ("zloty", "zlotys", "", ""),
}
_US_SPELLING = {"rouble": "ruble", "roubles": "rubles"}
_SYMBOLS_RE = r"US\$|CA\$|AU\$|NZ\$|HK\$|C\$|A\$|S\$|R\$|\$|€|£|¥|₴|₹|₽|₩|₦|₪|₺|₱"
_CODES_RE = "|".join(k for k in _CURRENCIES if k.isalpha())
_SCALES = {
    "thousand": "thousand",
    "k": "thousand",
    "K": "thousand",
    "million": "million",
    "m": "million",
    "M": "million",
    "mn": "million",
    "mln": "million",
    "billion": "billion",
    "bn": "billion",
    "b": "billion",
    "B": "billion",
    "bln": "billion",
    "trillion": "trillion",
    "crore": "crore",
    "lakh": "lakh",
    "tn": "trillion",
    "trn": "trillion",
    "T": "trillion",
}
_SCALE_RE = r"(?:\s+(?i:thousand|million|billion|trillion|crore|lakh)|(?:mn|mln|bn|bln|tn|trn|[kKmMbBT]))\b"


def _scale_word(scale: str) -> str:
    scale = scale.strip()
    return _SCALES.get(scale) or _SCALES.get(scale.lower(), scale.lower())


# unit: (singular US, plural US, singular GB, plural GB); "-" joins compounds
_UNITS: dict[str, tuple[str, str, str, str]] = {}


def _unit(names: str, us: str, gb: str | None = None) -> None:
    gb = gb or us
    invariable = us.endswith("hertz")
    for name in names.split():
        _UNITS[name] = (us, us if invariable else us + "s", gb, gb if invariable else gb + "s")


_unit("km kms", "kilometer", "kilometre")
_unit("cm", "centimeter", "centimetre")
_unit("mm", "millimeter", "millimetre")
_unit("m", "meter", "metre")
_unit("kg kgs", "kilogram")
_unit("g", "gram")
_unit("mg", "milligram")
_unit("lb lbs", "pound")
_unit("oz", "ounce")
_unit("mi", "mile")
_UNITS["ft"] = ("foot", "feet", "foot", "feet")
_unit("yd yds", "yard")
_unit("ha", "hectare")
_unit("l L", "liter", "litre")
_unit("ml mL", "milliliter", "millilitre")
_unit("gal", "gallon")
_unit("kW", "kilowatt")
_unit("MW", "megawatt")
_unit("GW", "gigawatt")
_unit("TW", "terawatt")
_unit("kWh", "kilowatt hour")
_unit("MWh", "megawatt hour")
_unit("GWh", "gigawatt hour")
_unit("TWh", "terawatt hour")
_unit("V", "volt")
_unit("Hz", "hertz")
_unit("kHz", "kilohertz")
_unit("MHz", "megahertz")
_unit("GHz", "gigahertz")
_unit("KB kB", "kilobyte")
_unit("MB", "megabyte")
_unit("GB", "gigabyte")
_unit("TB", "terabyte")
_unit("mAh", "milliamp hour")
_unit("hrs hr", "hour")
_unit("mins min", "minute")
_unit("sec secs", "second")
_unit("yrs", "year")
_unit("sq", "square")
_UNITS.update(
    {
        "mph": ("mile per hour", "miles per hour", "mile per hour", "miles per hour"),
        "km/h": ("kilometer per hour", "kilometers per hour", "kilometre per hour", "kilometres per hour"),
        "kph": ("kilometer per hour", "kilometers per hour", "kilometre per hour", "kilometres per hour"),
        "kmh": ("kilometer per hour", "kilometers per hour", "kilometre per hour", "kilometres per hour"),
        "mpg": ("mile per gallon", "miles per gallon", "mile per gallon", "miles per gallon"),
        "km²": (
            "square kilometer",
            "square kilometers",
            "square kilometre",
            "square kilometres",
        ),
        "m²": ("square meter", "square meters", "square metre", "square metres"),
        "m³": ("cubic meter", "cubic meters", "cubic metre", "cubic metres"),
        "sq km": ("square kilometer", "square kilometers", "square kilometre", "square kilometres"),
        "sq ft": ("square foot", "square feet", "square foot", "square feet"),
        "sq mi": ("square mile", "square miles", "square mile", "square miles"),
        "Mbps": (
            "megabit per second",
            "megabits per second",
            "megabit per second",
            "megabits per second",
        ),
        "Gbps": (
            "gigabit per second",
            "gigabits per second",
            "gigabit per second",
            "gigabits per second",
        ),
        "bpm": ("beat per minute", "beats per minute", "beat per minute", "beats per minute"),
        "bps": ("basis point", "basis points", "basis point", "basis points"),
        "bp": ("basis point", "basis points", "basis point", "basis points"),
        "kt": ("knot", "knots", "knot", "knots"),
        "kn": ("knot", "knots", "knot", "knots"),
    }
)
# Units that are also words or letters: only right after a number, never "5 in" or "Plan B".
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# "100m" is a distance only in sport and measures; otherwise "m" after a bare number is million.
_METRE_WORDS = frozenset(
    "sprint hurdles freestyle butterfly backstroke breaststroke relay race dash final heat "
    "long high deep wide tall away run swim medley record".split()
)

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_RE = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_EVENT_WORDS = frozenset(
    """War Bowl Part Phase Chapter Title Type Class Category Stage Level Act Volume Vol Book Round
    Apollo Vatican Episode Season Grade Tier Article Schedule Section Annex Step Super Rocky
    Gemini Mariner Voyager Division League Series Olympiad Mark Mk Model Version Fund Zone
    Unit Wave Block Lot Form Trial Treaty Task""".split()
)
_REGNAL = frozenset(
    """Charles Elizabeth Henry George Edward William James Louis Richard John Mary Victoria Anne
    Benedict Pius Leo Gregory Francis Paul Innocent Clement Urban Boniface Alexander Frederick
    Philip Felipe Carlos Gustaf Harald Olav Haakon Christian Frederik Margrethe Gustav Ferdinand
    Nicholas Peter Catherine Ivan Constantine Mohammed Muhammad Abdullah Hussein Rama Juan David
    Robert Duncan Edmund Harold Stephen Matilda Willem Albert Baudouin Carl Wilhelm Otto
    Sixtus Celestine Adrian Julius Hadrian Sergius Eugene Ptolemy Ramesses Ramses Amenhotep
    Thutmose Darius Cyrus Xerxes Napoleon Selim Mehmed Suleiman Murad Tewodros Menelik""".split()
)

_TITLES_BEFORE_NAME = {
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Messrs": "Messieurs",
    "Mmes": "Mesdames",
    "Mme": "Madame",
    "Dr": "Doctor",
    "Drs": "Doctors",
    "Prof": "Professor",
    "Profs": "Professors",
    "Gen": "General",
    "Gens": "Generals",
    "Lt": "Lieutenant",
    "Col": "Colonel",
    "Sgt": "Sergeant",
    "Capt": "Captain",
    "Cmdr": "Commander",
    "Cdr": "Commander",
    "Adm": "Admiral",
    "Maj": "Major",
    "Cpl": "Corporal",
    "Pvt": "Private",
    "Pfc": "Private First Class",
    "Spc": "Specialist",
    "Sen": "Senator",
    "Sens": "Senators",
    "Rep": "Representative",
    "Reps": "Representatives",
    "Gov": "Governor",
    "Govs": "Governors",
    "Atty": "Attorney",
    "Sec": "Secretary",
    "Amb": "Ambassador",
    "Rev": "Reverend",
    "Fr": "Father",
    "Msgr": "Monsignor",
    "Hon": "Honorable",
    "Rt": "Right",
    "Supt": "Superintendent",
    "Insp": "Inspector",
    "Det": "Detective",
    "Ald": "Alderman",
    "Brig": "Brigadier",
    "Pres": "President",
    "Mt": "Mount",
    "Ft": "Fort",
    "St": "Saint",
    "Ste": "Sainte",
    "Sr": "Sister",
    "Br": "Brother",
}
# Titles written without a full stop in British style ("Mr Smith", "Dr Jones").
_UNDOTTED_TITLES = ("Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Prof", "Gen", "Sgt", "Capt", "Col", "Lt", "Rev")
_AFTER_NAME = {
    "Jr": "Junior",
    "Sr": "Senior",
    "Inc": "Incorporated",
    "Corp": "Corporation",
    "Co": "Company",
    "Cos": "Companies",
    "Ltd": "Limited",
    "Bros": "Brothers",
    "Assn": "Association",
    "Dept": "Department",
    "Univ": "University",
    "Intl": "International",
    "Govt": "Government",
    "St": "Street",
    "Ave": "Avenue",
    "Blvd": "Boulevard",
    "Rd": "Road",
    "Dr": "Drive",
    "Ln": "Lane",
    "Hwy": "Highway",
    "Sq": "Square",
    "Pkwy": "Parkway",
    "Mt": "Mount",
}
_PLACE_SUFFIXES = frozenset("St Ave Blvd Rd Dr Ln Hwy Sq Pkwy Mt".split())
_OTHER_ABBREVIATIONS = {
    "etc.": "et cetera",
    "e.g.": "for example",
    "i.e.": "that is",
    "et al.": "and others",
    "approx.": "approximately",
    "vs.": "versus",
    "vs": "versus",
    "cf.": "compare",
    "viz.": "namely",
    "incl.": "including",
    "excl.": "excluding",
    "Ph.D.": "P H D",
    "PhD": "P H D",
    "PhDs": "P H D's",
}
_NUMBERED = {
    "No": "number",
    "no": "number",
    "Nos": "numbers",
    "nos": "numbers",
    "Nr": "number",
    "p": "page",
    "pp": "pages",
    "Vol": "volume",
    "vol": "volume",
    "Vols": "volumes",
    "Ch": "chapter",
    "ch": "chapter",
    "Art": "article",
    "Fig": "figure",
    "fig": "figure",
    "Sec": "section",
    "Para": "paragraph",
    "para": "paragraph",
    "Rte": "Route",
    "Hwy": "Highway",
    "Apt": "apartment",
    "Ex": "exhibit",
    "ca": "circa",
    "c": "circa",
    "est": "established",
}

_STATES = {
    "Ala": "Alabama",
    "Ariz": "Arizona",
    "Ark": "Arkansas",
    "Calif": "California",
    "Colo": "Colorado",
    "Conn": "Connecticut",
    "Del": "Delaware",
    "Fla": "Florida",
    "Ga": "Georgia",
    "Ill": "Illinois",
    "Ind": "Indiana",
    "Kan": "Kansas",
    "Kans": "Kansas",
    "Ky": "Kentucky",
    "La": "Louisiana",
    "Md": "Maryland",
    "Mass": "Massachusetts",
    "Mich": "Michigan",
    "Minn": "Minnesota",
    "Miss": "Mississippi",
    "Mo": "Missouri",
    "Mont": "Montana",
    "Neb": "Nebraska",
    "Nebr": "Nebraska",
    "Nev": "Nevada",
    "N.H": "New Hampshire",
    "N.J": "New Jersey",
    "N.M": "New Mexico",
    "N.Y": "New York",
    "N.C": "North Carolina",
    "N.D": "North Dakota",
    "Okla": "Oklahoma",
    "Ore": "Oregon",
    "Oreg": "Oregon",
    "Pa": "Pennsylvania",
    "Penn": "Pennsylvania",
    "R.I": "Rhode Island",
    "S.C": "South Carolina",
    "S.D": "South Dakota",
    "Tenn": "Tennessee",
    "Tex": "Texas",
    "Vt": "Vermont",
    "Va": "Virginia",
    "Wash": "Washington",
    "W.Va": "West Virginia",
    "Wis": "Wisconsin",
    "Wisc": "Wisconsin",
    "Wyo": "Wyoming",
}
_FULL_STATES = "Alaska Hawaii Idaho Iowa Maine Ohio Texas Utah".split()
_POSTAL = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
_PARTIES = {"D": "Democrat", "R": "Republican", "I": "Independent", "L": "Libertarian"}

_LETTER_NAMES = {"A": "Eh"}

# Acronyms said as words, and how to write them so espeak says them that way.
_WORD_ACRONYMS = {
    "NATO": "Nato",
    "NASA": "Nasa",
    "UNESCO": "Unesco",
    "UNICEF": "Unicef",
    "COVID": "Covid",
    "OPEC": "Opec",
    "FIFA": "Fifa",
    "UEFA": "Uefa",
    "ASEAN": "Asean",
    "NAFTA": "Nafta",
    "FEMA": "Fema",
    "SARS": "Sars",
    "MERS": "Mers",
    "AIDS": "Aids",
    "HAMAS": "Hamas",
    "ISIS": "Isis",
    "ISIL": "Isil",
    "OFCOM": "Ofcom",
    "OFSTED": "Ofsted",
    "OFGEM": "Ofgem",
    "OFWAT": "Ofwat",
    "ACAS": "Acas",
    "DEFRA": "Defra",
    "NASDAQ": "Nasdaq",
    "FTSE": "Footsie",
    "DAX": "Dax",
    "CERN": "Cern",
    "INTERPOL": "Interpol",
    "EUROPOL": "Europol",
    "FRONTEX": "Frontex",
    "UKIP": "Ukip",
    "BRICS": "Brics",
    "AUKUS": "Aukus",
    "MERCOSUR": "Mercosur",
    "ECOWAS": "Ecowas",
    "GATT": "Gatt",
    "FARC": "Farc",
    "NIMBY": "Nimby",
    "LASER": "laser",
    "RADAR": "radar",
    "SONAR": "sonar",
    "SCUBA": "scuba",
    "LIDAR": "lidar",
    "GIF": "gif",
    "JPEG": "jay-peg",
    "PIN": "pin",
    "SIM": "sim",
    "RAM": "ram",
    "ICE": "Ice",
    "SWAT": "Swat",
    "NOAA": "Noah",
    "UNRWA": "Unrwa",
    "MAGA": "Maga",
    "DOGE": "Doge",
    "POTUS": "Potus",
    "SCOTUS": "Scotus",
    "FLOTUS": "Flotus",
    "DACA": "Daca",
    "TASS": "Tass",
    "IKEA": "Ikea",
    "ASOS": "Asos",
    "LEGO": "Lego",
    "ABBA": "Abba",
    "PAC": "Pac",
    "OK": "okay",
    "GAVI": "Gavi",
    "ISRO": "Isro",
    "JAXA": "Jaxa",
    "WASP": "Wasp",
    "YOLO": "Yolo",
    "FOMO": "Fomo",
    "EBITDA": "ebitda",
    "PEPFAR": "Pepfar",
    "CARICOM": "Caricom",
    "OSHA": "Osha",
    "HUD": "Hud",
    "AMEX": "Amex",
    "UNAIDS": "U N Aids",
    "WWII": "World War Two",
    "WWI": "World War One",
    "WW2": "World War Two",
    "WW1": "World War One",
    "NAACP": "N double Eh C P",
    "NCAA": "N C double Eh",
    "AAA": "triple Eh",
    "IEEE": "I triple E",
}
# Spelled letter by letter even though they look pronounceable.
_SPELLED = frozenset(
    """USA UAE UN US UK EU IMF WHO WTO GDP CEO CFO COO CTO IPO AI DNA HIV ICU SUV EV UFO NFL NBA MLB
    NHL MLS UFC WWE PGA GOP DNC RNC MP MPS PM QC KC BBC ITV CNN ABC NBC CBS PBS NPR AP AFP IDF PLO
    ANC BJP CDU SPD SNP DUP IRA TUC CBI HMRC DWP GCHQ RAF SAS NHS FBI CIA NSA DHS DOJ DOD DOE EPA
    FDA CDC IRS ATF DEA TSA FCC SEC FTC NIH NTSB FAA ID TV PC USB LED LCD GPS NFT DVD CD VPN PDF
    URL HTML API CPU GPU SSD AM FM PR HR VIP RIP BC AD BCE CE UCLA NYU MIT LSE UCL MBA PHD LGBT
    LGBTQ ADHD PTSD IVF MRI CT MRSA COPD OCD RSV BMI ECB ECJ ICC ICJ IAEA OPCW OECD OSCE UNHCR
    UNDP UNGA UNSC WFP WWF IOC FA EFL PSG ESPN HBO CBC RTE NRA ACLU AARP CCP PRC DPRK ROK KGB FSB
    GRU SBU SVR CPI PPI PMI BOE BOJ VAT GST ESG ETF AGM KPI ATM NGO ISS ESA EMT ER DMV DUI IED RPG
    IT IQ OBE MBE CBE BA MA MSC AFC NYSE SUVS ICBM UAV EVS IRGC DRC CAR LA NYC DC UAW AFL CIO AT
    ETA SOS TBA TBC ASAP DIY DJ MC PA RTÉ HSBC IBM HP BMW VW GM GE UPS DHL LG AMD TSMC KFC NYPD
    LAPD ITN SABC ABS BHP CSIRO ACT NSW WA SA NT QLD""".split()
)
# English words seen in capitals in headlines and for emphasis: said as words.
_CAPS_WORDS = frozenset(
    """A AN THE AND OR BUT OF TO IN ON AT FOR WITH FROM BY AS IS ARE WAS WERE BE BEEN HAS HAVE
    HAD WILL CAN NOT NO YES ALL NEW NOW LIVE WATCH READ MORE HERE JUST SAYS SAY SAID DEAD DIES
    DIE KILLS KILLED WAR FIRE CRASH VOTE WIN WINS LOSS BIG TOP HOT OUT OFF UP DOWN OVER BACK
    NEXT LAST FIRST ONE TWO THREE TEN DAY WEEK YEAR TIME MAN WOMAN BOY GIRL HOME HOUSE CITY LAW
    BILL DEAL PLAN TAX JOBS JOB PAY CUT CUTS RISE FALL HIKE OIL GAS GOLD MARKET STOCKS NEWS
    ALERT UPDATE BREAKING URGENT WARNING OPINION ANALYSIS REVIEW VIDEO PHOTOS PHOTO AUDIO LISTEN
    SPORT SPORTS WORLD LOCAL MONEY TECH SCIENCE HEALTH STYLE TRAVEL FOOD ARTS BOOKS FILM MUSIC
    WHAT WHY HOW WHEN WHERE THIS THAT THESE THOSE ITS HE SHE THEY WE YOU HIS HER THEIR OUR MY
    YOUR VERY MUST NEVER EVER ONLY STILL AGAIN FREE SALE STOP HELP FAKE TRUE FALSE REAL FACT
    MAX CHECK FACTS FULL STORY DONE GOOD BAD BEST WORST LIVE END SEE GET GO GOT MAY MIGHT SHOULD
    WOULD COULD DID DOES DO AFTER BEFORE AMID INTO ABOUT THAN THEN THEM SOME ANY EACH EVERY
    MOST LESS FEW MANY MUCH SUCH OWN SAME OTHER ANOTHER ONCE TWICE WHILE UNTIL SINCE NEAR FAR
    LATE EARLY DEATH DEATHS LIFE LIVES PEOPLE POLICE STATE COURT JUDGE TRIAL DAYS HOURS BREAK
    OPEN CLOSED SHUT RED BLUE GREEN BLACK WHITE HIGH LOW LONG SHORT FAST SLOW HARD EASY KEY
    MAJOR MINOR SPECIAL REPORT EDITOR NOTE SORRY THANK THANKS PLEASE HELLO WOW OMG""".split()
)
_WORD_SHAPES = ("CVCV", "CVCVC", "CVCCV", "VCVC", "VCCVC")


def _shape(word: str) -> str:
    return "".join("V" if c in "AEIOU" else "C" for c in word)


def _spell(letters: str) -> str:
    return " ".join(_LETTER_NAMES.get(c, c) for c in letters.upper() if c.isalnum())


# ---------------------------------------------------------------------------------------------
# Rules

_Sub = Callable[[re.Match[str]], str]


def _at_end(text: str, end: int) -> bool:
    """Whether only closing quotes, brackets or spaces follow position ``end``."""
    return not text[end:].strip(" \"')]}")


class _Reader:
    """The English rules, in order; one instance per call carries the variant."""

    def __init__(self, *, gb: bool, links: LinkMode) -> None:
        self.gb = gb
        self.links = links
        self.source = ""
        """The text the rule being applied runs over, for rules that look around a match."""
        self.rules: list[tuple[re.Pattern[str], _Sub]] = [
            (_EMAIL, self._email),
            (_URL, self._url),
            (_DOMAIN, self._domain),
            (_HANDLE, self._handle),
            (_HASHTAG, self._hashtag),
            (_ISO_DATE, self._iso_date),
            (_NUMERIC_DATE, self._numeric_date),
            (_DATE_US, self._date_us),
            (_DATE_GB, self._date_gb),
            (_MONTH_YEAR, self._month_year),
            (_TIME, self._time),
            (_TIME_DOT, self._time),
            (_TIME_HOUR, self._time_hour),
            (_MONEY_RANGE, self._money_range),
            (_MONEY, self._money),
            (_MONEY_CODE_BEFORE, self._money_code),
            (_MONEY_CODE_AFTER, self._money_code_after),
            (_CENTS, self._cents),
            (_PERCENT, self._percent),
            (_TEMPERATURE_RANGE, self._temperature_range),
            (_TEMPERATURE, self._temperature),
            (_DEGREES, self._degrees),
            (_UNIT, self._unit),
            (_PHONE, self._phone),
            (_DECADE, self._decade),
            (_SHORT_DECADE, self._short_decade),
            (_AGE_DECADE, self._age_decade),
            (_ORDINAL, self._ordinal),
            (_MIXED_FRACTION, self._mixed_fraction),
            (_UNICODE_FRACTION, self._unicode_fraction),
            (_SEASON, self._season),
            (_FRACTION, self._fraction),
            (_YEAR_RANGE, self._year_range),
            (_RANGE, self._range),
            (_NEGATIVE, self._negative),
            (_SCALED, self._scaled),
            (_NUMBERED_ABBR, self._numbered),
            (_NUMBER_SIGN, self._number_sign),
            (_NUMERO, lambda m: "number "),
            (_MODEL, self._model),
            (_LETTERS_DIGITS, self._letters_digits),
            (_HEIGHT, self._height),
            (_DOTTED_NUMBER, self._dotted_number),
            (_PLURAL_NUMBER, self._plural_number),
            (_DIGITS_LETTERS, self._digits_letters),
            (_YEAR, self._year),
            (_NUMBER, self._number),
            (_ROMAN, self._roman),
            (_PARTY_TAG, self._party_tag),
            (_CITY_STATE, self._city_state),
            (_TITLE_DOTTED, self._title),
            (_TITLE_UNDOTTED, self._title),
            (_AFTER_NAME_RE, self._after_name),
            (_OTHER_ABBR, self._other_abbr),
            (_VERSUS, lambda m: "versus"),
            (_MONTH_ABBR_RE, self._month_abbr),
            (_MERIDIEM, self._meridiem),
            (_DOTTED, self._dotted),
            (_INITIAL, self._initial),
            (_CAPS_AMP, self._caps_amp),
        ]

    # -- driver --------------------------------------------------------------------------------

    def read(self, text: str) -> str:
        for pattern, sub in self.rules:
            self.source = text
            text = pattern.sub(sub, text)
        text = self._capitals(text)
        return _symbols(text)

    def _keep_stop(self, match: re.Match[str]) -> str:
        """A full stop to add back when an abbreviation's own stop also ended the sentence."""
        return "." if match.group(0).endswith(".") and _at_end(self.source, match.end()) else ""

    # -- links ---------------------------------------------------------------------------------

    def _email(self, m: re.Match[str]) -> str:
        if self.links == "skip":
            return ""
        user, _, host = m.group(0).partition("@")
        return f"{_read_address(user)} at {_read_address(host)}"

    def _url(self, m: re.Match[str]) -> str:
        if self.links == "skip":
            return ""
        host = re.sub(r"^(?:[a-z]+://)?(?:www\d?\.)?", "", m.group(0), flags=re.I)
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        return _read_address(host)

    def _domain(self, m: re.Match[str]) -> str:
        if self.links == "skip" and m.group(2):
            return ""
        return _read_address(m.group(1))

    def _handle(self, m: re.Match[str]) -> str:
        return f"{m.group(1)}at {m.group(2).replace('_', ' underscore ')}"

    def _hashtag(self, m: re.Match[str]) -> str:
        words = re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", m.group(2))
        return f"{m.group(1)}hashtag {words}"

    # -- dates and times -----------------------------------------------------------------------

    def _say_date(self, day: int, month: str, year: str | None, day2: int | None = None) -> str:
        if self.gb:
            words = f"the {_ordinal(day, True)}"
            if day2 is not None:
                words += f" to the {_ordinal(day2, True)}"
            words += f" of {month}"
        else:
            words = f"{month} {_ordinal(day, False)}"
            if day2 is not None:
                words += f" to {_ordinal(day2, False)}"
        if year:
            words += f", {_year(int(year), self.gb)}"
        return words

    def _iso_date(self, m: re.Match[str]) -> str:
        month, day = int(m.group(2)), int(m.group(3))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return m.group(0)
        return self._say_date(day, _MONTH_NAMES[month - 1], m.group(1))

    def _numeric_date(self, m: re.Match[str]) -> str:
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        dotted = m.group(0)[len(m.group(1))] == "."
        day, month = (a, b) if (self.gb or dotted or a > 12) and b <= 12 else (b, a)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return m.group(0)
        if len(year) == 2:
            year = ("20" if int(year) < 50 else "19") + year
        return self._say_date(day, _MONTH_NAMES[month - 1], year)

    def _date_us(self, m: re.Match[str]) -> str:
        day = int(m.group(2))
        day2 = int(m.group(3)) if m.group(3) else None
        if not 1 <= day <= 31 or (day2 is not None and not day < day2 <= 31):
            return m.group(0)
        return self._say_date(day, _month(m.group(1)), m.group(4), day2) + self._keep_stop(m)

    def _date_gb(self, m: re.Match[str]) -> str:
        day = int(m.group(1))
        day2 = int(m.group(2)) if m.group(2) else None
        if not 1 <= day <= 31 or (day2 is not None and not day < day2 <= 31):
            return m.group(0)
        return self._say_date(day, _month(m.group(3)), m.group(4), day2) + self._keep_stop(m)

    def _month_year(self, m: re.Match[str]) -> str:
        return f"{_month(m.group(1))} {_year(int(m.group(2)), self.gb)}"

    def _meridiem_words(self, token: str | None) -> str:
        if not token:
            return ""
        letter = token.strip(". ").lower()[:1]
        return " Eh M" if letter == "a" else " P M"

    def _time(self, m: re.Match[str]) -> str:
        hour, minute = int(m.group(1)), int(m.group(2))
        seconds = m.group(3)
        meridiem = m.group(4)
        if hour > 24 or minute > 59:
            return f"{_cardinal(hour, self.gb)} {_cardinal(minute, self.gb)}"
        if minute == 0:
            if meridiem:
                words = _cardinal(hour, self.gb)
            elif hour > 12 or m.group(1).startswith("0"):
                words = f"{_cardinal(hour, self.gb)} hundred"
            else:
                words = f"{_cardinal(hour, self.gb)} o'clock"
        elif minute < 10:
            words = f"{_cardinal(hour, self.gb)} oh {_ONES[minute]}"
        else:
            words = f"{_cardinal(hour, self.gb)} {_cardinal(minute, self.gb)}"
        if seconds:
            words += f" and {_cardinal(int(seconds), self.gb)} seconds"
        return words + self._meridiem_words(meridiem) + self._keep_stop(m)

    def _time_hour(self, m: re.Match[str]) -> str:
        hour = int(m.group(1))
        if not 1 <= hour <= 12:
            return m.group(0)
        return _cardinal(hour, self.gb) + self._meridiem_words(m.group(2)) + self._keep_stop(m)

    # -- money, percentages, units --------------------------------------------------------------

    def _currency(self, symbol: str, amount: float, scaled: bool) -> str:
        one, many, _, _ = _CURRENCIES.get(symbol, _CURRENCIES["$"])
        if not self.gb:
            one, many = _US_SPELLING.get(one, one), _US_SPELLING.get(many, many)
        return one if amount == 1 and not scaled else many

    def _amount(self, number: str, scale: str | None) -> str:
        """Words for an amount, without its currency."""
        if scale:
            return f"{_number(number, self.gb)} {_scale_word(scale)}"
        return _number(number, self.gb)

    def _money_words(self, symbol: str, number: str, scale: str | None, negative: bool = False) -> str:
        sign = "minus " if negative else ""
        value = _value(number)
        if scale:
            words = f"{self._amount(number, scale)} {self._currency(symbol, value, True)}"
            return sign + words
        whole, _, cents = number.partition(".")
        _, _, minor_one, minor_many = _CURRENCIES.get(symbol, _CURRENCIES["$"])
        if len(cents) == 2 and minor_one:
            units = int(whole.replace(",", "") or "0")
            minor = int(cents)
            if minor == 0:
                return sign + f"{_int_words(whole or '0', self.gb)} {self._currency(symbol, units, False)}"
            minor_words = f"{_cardinal(minor, self.gb)} {minor_one if minor == 1 else minor_many}"
            if units == 0:
                return sign + minor_words
            main = f"{_int_words(whole, self.gb)} {self._currency(symbol, units, False)}"
            if minor_many == "pence":
                return sign + f"{main} {_cardinal(minor, self.gb)}"
            return sign + f"{main} and {minor_words}"
        return sign + f"{_number(number, self.gb)} {self._currency(symbol, value, False)}"

    def _money(self, m: re.Match[str]) -> str:
        symbol, number, scale = m.group(2), m.group(3), m.group(4)
        if self._attributive(m) and not re.search(r"\.\d\d$", number):
            # "a $48.6 million plan" → "a forty-eight point six million dollar plan"
            return f"{self._amount(number, scale)} {self._currency(symbol, 1, False)}"
        return self._money_words(symbol, number, scale, negative=bool(m.group(1)))

    def _attributive(self, m: re.Match[str]) -> bool:
        """Whether an amount of money describes the noun after it: "a $5 fee", "the $2 billion
        plan", "its $300 million contract", and in headlines "backs $48.6 million fleet
        overhaul" — but not "paid $2 million for the land" or "spent $3 million renovating".

        It does after "a"; otherwise a word that can be a noun must follow. Without a
        determiner (or a possessive, or an adjective and a comma) before the amount, as in
        headlines, two such words must follow ("fleet overhaul", not "today"), the first not
        in -ing or -ed, more often a verb.
        """
        before = self.source[: m.start()]
        if _ARTICLE_BEFORE.search(before):
            return True
        # In a title-case headline ("Council Backs $48.6 Million Fleet Overhaul") capitals
        # say nothing; elsewhere a capitalised word is a name ("$5 million Monday").
        letters = "A-Za-z" if _title_case(self.source) else "a-z"
        after = re.match(
            rf"\s+([{letters}][a-z]*)\b(?![.'’-]\w)(?:\s+([{letters}][a-z]*)\b)?", self.source[m.end() :]
        )
        first = after.group(1).lower() if after else None
        if first is None or first in _NOT_NOUNS:
            return False
        if _DETERMINER_BEFORE.search(before):
            return True
        # No determiner (headline style): only before a noun phrase of two words.
        second = after.group(2) if after else None
        return second is not None and second.lower() not in _NOT_NOUNS and not first.endswith(("ing", "ed"))

    def _money_range(self, m: re.Match[str]) -> str:
        symbol, first, scale1, second, scale2 = m.group(1), m.group(2), m.group(3), m.group(5), m.group(6)
        scale = scale2 or scale1
        if not scale and (re.search(r"\.\d\d$", first) or re.search(r"\.\d\d$", second)):
            # "$3.29 to $3.75": each amount in full
            return f"{self._money_words(symbol, first, None)} to {self._money_words(symbol, second, None)}"
        left = self._amount(first, scale1)
        right = self._amount(second, scale2)
        currency = self._currency(symbol, 2, bool(scale))
        return f"{left} to {right} {currency}"

    def _money_code(self, m: re.Match[str]) -> str:
        return self._money_words(m.group(1), m.group(2), m.group(3))

    def _money_code_after(self, m: re.Match[str]) -> str:
        return self._money_words(m.group(3), m.group(1), m.group(2))

    def _cents(self, m: re.Match[str]) -> str:
        value = _value(m.group(1))
        if m.group(3):
            return f"{_number(m.group(1), self.gb)} {'penny' if value == 1 else 'pence'}"
        return f"{_number(m.group(1), self.gb)} {'cent' if value == 1 else 'cents'}"

    def _percent(self, m: re.Match[str]) -> str:
        sign = {"-": "minus ", "+": "plus "}.get(m.group(1) or "", "")
        words = sign + _number(m.group(2), self.gb)
        if m.group(3):
            words += " to " + _number(m.group(3), self.gb)
        return words + " percent"

    def _temperature(self, m: re.Match[str]) -> str:
        words = ("minus " if m.group(1) else "") + _number(m.group(2), self.gb)
        unit = "Celsius" if m.group(3).upper() == "C" else "Fahrenheit"
        degrees = "degree" if _value(m.group(2)) == 1 and not m.group(1) else "degrees"
        return f"{words} {degrees} {unit}"

    def _degrees(self, m: re.Match[str]) -> str:
        words = ("minus " if m.group(1) else "") + _number(m.group(2), self.gb)
        return f"{words} {'degree' if _value(m.group(2)) == 1 else 'degrees'}"

    def _unit(self, m: re.Match[str]) -> str:
        number, hyphen, unit = m.group(1), m.group(2), m.group(3)
        after = self.source[m.end() :].lstrip()
        next_word = re.match(r"[a-z]+", after)
        if unit in ("m", "M") and not hyphen and m.group(0)[len(number)] != " ":
            is_distance = next_word is not None and next_word.group(0) in _METRE_WORDS
            if not is_distance:
                return f"{_number(number, self.gb)} million"
        if unit == "M":
            return f"{_number(number, self.gb)} million"
        names = _UNITS[unit]
        one, many = (names[2], names[3]) if self.gb else (names[0], names[1])
        words = _number(number, self.gb)
        if hyphen:
            return f"{words}-{one.replace(' ', '-')}"
        return f"{words} {one if _value(number) == 1 and '.' not in number else many}"

    def _phone(self, m: re.Match[str]) -> str:
        groups = re.findall(r"\d+", m.group(0))
        return ", ".join(_digits(g) for g in groups)

    # -- years, decades, ordinals, fractions, ranges ---------------------------------------------

    def _decade(self, m: re.Match[str]) -> str:
        return _plural_word(_year(int(m.group(1)), self.gb))

    def _short_decade(self, m: re.Match[str]) -> str:
        tens = int(m.group(1))
        if tens == 0:
            return "two thousands"
        return _plural_word(_cardinal(tens * 10, self.gb))

    def _age_decade(self, m: re.Match[str]) -> str:
        return _plural_word(_cardinal(int(m.group(1)), self.gb))

    def _ordinal(self, m: re.Match[str]) -> str:
        return _ordinal(int(m.group(1).replace(",", "")), self.gb)

    def _fraction_words(self, numerator: int, denominator: int) -> str:
        if denominator == 2:
            name = "half" if numerator == 1 else "halves"
        elif denominator == 4:
            name = "quarter" if numerator == 1 else "quarters"
        else:
            name = _ordinal(denominator, self.gb) + ("" if numerator == 1 else "s")
        return f"{_cardinal(numerator, self.gb)} {name}"

    def _mixed_fraction(self, m: re.Match[str]) -> str:
        whole, numerator, denominator = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not 0 < numerator < denominator <= 16:
            return m.group(0)
        fraction = self._fraction_words(numerator, denominator)
        if numerator == 1:
            fraction = "a " + fraction.split(" ", 1)[1]
        return f"{_cardinal(whole, self.gb)} and {fraction}"

    def _unicode_fraction(self, m: re.Match[str]) -> str:
        value = unicodedata.numeric(m.group(2))
        numerator, denominator = _VULGAR.get(m.group(2), (0, 0))
        if not denominator:
            return _number(str(value), self.gb)
        fraction = self._fraction_words(numerator, denominator)
        if m.group(1):
            if numerator == 1:
                fraction = "a " + fraction.split(" ", 1)[1]
            return f"{_cardinal(int(m.group(1)), self.gb)} and {fraction}"
        return fraction

    def _season(self, m: re.Match[str]) -> str:
        return f"{_year(int(m.group(1)), self.gb)} {_cardinal(int(m.group(2)), self.gb)}"

    def _fraction(self, m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        if (a, b) == (9, 11):
            return "nine eleven"
        if (a, b) == (24, 7):
            return "twenty-four seven"
        if a == b and a in (50,):
            return "fifty-fifty"
        if 0 < a < b <= 16:
            return self._fraction_words(a, b)
        return f"{_cardinal(a, self.gb)} out of {_cardinal(b, self.gb)}"

    def _year_range(self, m: re.Match[str]) -> str:
        first = int(m.group(1))
        second = m.group(2)
        if len(second) == 2:
            full = first // 100 * 100 + int(second)
            if 2000 <= full <= 2009 or int(second) == 0:
                end = _year(full, self.gb)
            elif second[0] == "0":
                end = f"oh {_ONES[int(second[1])]}"
            else:
                end = _cardinal(int(second), self.gb)
            return f"{_year(first, self.gb)} to {end}"
        return f"{_year(first, self.gb)} to {_year(int(second), self.gb)}"

    def _range(self, m: re.Match[str]) -> str:
        return f"{_number(m.group(1), self.gb)} to {_number(m.group(2), self.gb)}"

    def _negative(self, m: re.Match[str]) -> str:
        return f"{m.group(1)}minus {_number(m.group(2), self.gb)}"

    def _scaled(self, m: re.Match[str]) -> str:
        number, scale = m.group(1), m.group(2).strip()
        if scale == "m":
            after = self.source[m.end() :].lstrip()
            next_word = re.match(r"[a-z]+", after)
            if next_word is not None and next_word.group(0) in _METRE_WORDS:
                return f"{_number(number, self.gb)} {'metres' if self.gb else 'meters'}"
        return f"{_number(number, self.gb)} {_scale_word(scale)}"

    def _numbered(self, m: re.Match[str]) -> str:
        number = m.group(2)
        if m.group(1) in ("ca", "c", "est") and re.fullmatch(r"1\d{3}|20\d\d", number):
            return f"{_NUMBERED[m.group(1)]} {_year(int(number), self.gb)}"
        return f"{_NUMBERED[m.group(1)]} {_number(number, self.gb)}"

    def _number_sign(self, m: re.Match[str]) -> str:
        return f"{m.group(1)}number {_number(m.group(2), self.gb)}"

    def _model(self, m: re.Match[str]) -> str:
        maker = m.group(1) or _LETTER_NAMES.get(m.group(2), m.group(2))
        number = int(m.group(3))
        hundreds, rest = divmod(number, 100)
        if rest == 0:
            words = _cardinal(number, self.gb)
        else:
            tail = f"oh {_ONES[rest]}" if rest < 10 else _cardinal(rest, self.gb)
            words = f"{_ONES[hundreds]} {tail}"
        return f"{maker} {words}"

    def _letters_digits(self, m: re.Match[str]) -> str:
        letters = _LETTER_NAMES.get(m.group(1), m.group(1))
        if letters == "COP":  # the UN climate summit, COP28
            letters = "Cop"
        words = _number(m.group(2), self.gb)
        return f"{letters} {_plural_word(words) if m.group(3) else words}"

    def _height(self, m: re.Match[str]) -> str:
        return f"{_cardinal(int(m.group(1)), self.gb)} foot {_cardinal(int(m.group(2)), self.gb)}"

    def _dotted_number(self, m: re.Match[str]) -> str:
        parts = m.group(0).split(".")
        joiner = " dot " if len(parts) == 4 and all(len(p) <= 3 for p in parts) else " point "
        return joiner.join(_int_words(p, self.gb) for p in parts)

    def _plural_number(self, m: re.Match[str]) -> str:
        words = _cardinal(int(m.group(1).replace(",", "")), self.gb)
        if words.startswith("one ") and " " not in words[4:]:
            words = words[4:]  # "1,000s" → "thousands"
        return _plural_word(words)

    def _temperature_range(self, m: re.Match[str]) -> str:
        low = ("minus " if m.group(1) else "") + _number(m.group(2), self.gb)
        high = ("minus " if m.group(3) else "") + _number(m.group(4), self.gb)
        unit = "Celsius" if m.group(5).upper() == "C" else "Fahrenheit"
        return f"{low} to {high} degrees {unit}"

    def _digits_letters(self, m: re.Match[str]) -> str:
        return f"{_number(m.group(1), self.gb)} {_spell(m.group(2))}"

    def _year(self, m: re.Match[str]) -> str:
        value = int(m.group(1))
        before = self.source[: m.start()].rstrip()
        previous = re.search(r"([A-Za-z]+)\W*$", before)
        cue = previous is not None and previous.group(1).lower() in _YEAR_CUES
        after = self.source[m.end() :]
        following = re.match(r"\s+([a-z]+)", after)
        if not cue and following is not None:
            word = following.group(1)
            if word in _COUNTED or (word.endswith("s") and word not in _NOT_COUNTED and len(word) > 3):
                return _cardinal(value, self.gb)
        if previous is not None and previous.group(1).lower() in ("number", "no", "page", "pages", "route"):
            return _cardinal(value, self.gb)
        if value < 1100 and not cue:
            return _cardinal(value, self.gb)
        return _year(value, self.gb)

    def _number(self, m: re.Match[str]) -> str:
        before = self.source[m.start() - 1 : m.start()]
        after = self.source[m.end() : m.end() + 1]
        left = " " if before.isalnum() else ""
        right = " " if after.isalnum() else ""
        return f"{left}{_number(m.group(0), self.gb)}{right}"

    # -- roman numerals ----------------------------------------------------------------------

    def _roman(self, m: re.Match[str]) -> str:
        title, word, numeral = m.group(1) or "", m.group(2), m.group(3)
        value = _roman_value(numeral)
        if not value or value > 89:
            return m.group(0)
        regnal = word in _REGNAL
        event = word in _EVENT_WORDS
        if len(numeral) == 1 and not (regnal or event):
            return m.group(0)
        if numeral == "I" and not event:
            after = self.source[m.end() :].lstrip()
            if not (title or not after or after[0] in ".,;:!?)'\""):
                return m.group(0)
        if event:
            words = _cardinal(value, self.gb)
            if word == "War":
                words = words.capitalize()
            return f"{title}{word} {words}"
        return f"{title}{word} the {_ordinal(value, self.gb)}"

    # -- abbreviations -------------------------------------------------------------------------

    def _party_tag(self, m: re.Match[str]) -> str:
        state = m.group(2).rstrip(".")
        name = _STATES.get(state) or _POSTAL.get(state) or (state if state in _FULL_STATES else None)
        if name is None:
            return m.group(0)
        return f"{_PARTIES[m.group(1)]} of {name}" + self._keep_stop(m)

    def _city_state(self, m: re.Match[str]) -> str:
        name = _STATES.get(m.group(2).rstrip("."))
        if name is None:
            return m.group(0)
        return f"{m.group(1)}{name}" + self._keep_stop(m)

    def _title(self, m: re.Match[str]) -> str:
        return _TITLES_BEFORE_NAME[m.group(1)] + " "

    def _after_name(self, m: re.Match[str]) -> str:
        if m.group(2) in _PLACE_SUFFIXES and not m.group(1)[:1].isupper():
            return m.group(0)
        word = _AFTER_NAME[m.group(2)]
        return f"{m.group(1)}{word}" + self._keep_stop(m)

    def _other_abbr(self, m: re.Match[str]) -> str:
        return _OTHER_ABBREVIATIONS[m.group(1)] + self._keep_stop(m)

    def _month_abbr(self, m: re.Match[str]) -> str:
        return _month(m.group(1)) + self._keep_stop(m)

    def _meridiem(self, m: re.Match[str]) -> str:
        return self._meridiem_words(m.group(1)).strip() + self._keep_stop(m)

    def _dotted(self, m: re.Match[str]) -> str:
        token = m.group(0)
        lowered = token.lower()
        if lowered in _OTHER_ABBREVIATIONS:
            return _OTHER_ABBREVIATIONS[lowered] + self._keep_stop(m)
        letters = token.replace(".", "")
        if letters.upper() == "PHD":
            return "P H D" + self._keep_stop(m)
        return _spell(letters) + self._keep_stop(m)

    def _initial(self, m: re.Match[str]) -> str:
        return _LETTER_NAMES.get(m.group(1), m.group(1))

    def _caps_amp(self, m: re.Match[str]) -> str:
        return f"{_spell(m.group(1))} and {_spell(m.group(2))}"

    # -- capitals ------------------------------------------------------------------------------

    def _capitals(self, text: str) -> str:
        words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
        lettered = [w for w in words if len(w) > 1]
        caps = [w for w in lettered if w.replace("'", "").replace("-", "").isupper()]
        shouting = len(caps) >= 3 and len(caps) >= 0.7 * len(lettered)
        out = _CAPS_TOKEN.sub(lambda m: self._caps(m, shouting), text)
        if shouting:
            out = re.sub(r"^(\W*)([a-z])", lambda m: m.group(1) + m.group(2).upper(), out)
        return out

    def _caps(self, m: re.Match[str], shouting: bool) -> str:
        token, suffix = m.group(1), (m.group(2) or "").replace("’", "'")
        if (suffix[:1] == "'" and suffix[1:].isupper()) or suffix.upper() == "N'T":
            return (token + suffix).lower()  # a contraction: DON'T, IT'S, WE'LL
        if not suffix and token.endswith("S") and token[:-1] in _SPELLED and token not in _SPELLED:
            token, suffix = token[:-1], "s"
        word_suffix = "'s" if suffix == "'s" else ("s" if suffix else "")
        letters_suffix = "'s" if suffix else ""
        if token in _WORD_ACRONYMS:
            return _WORD_ACRONYMS[token] + word_suffix
        if token in _SPELLED:
            return _spell(token) + letters_suffix
        if token in _CAPS_WORDS or shouting:
            return token.lower() + word_suffix
        if len(token) >= 6:
            if re.search(r"[AEIOUY]", token):
                return token.lower() + word_suffix
            return _spell(token) + letters_suffix
        if _shape(token) in _WORD_SHAPES:
            return token.capitalize() + word_suffix
        return _spell(token) + letters_suffix


def _roman_value(numeral: str) -> int:
    total = 0
    previous = 0
    for ch in reversed(numeral):
        value = _ROMAN_VALUES.get(ch, 0)
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total


def _read_address(address: str) -> str:
    """ "news.desk" → "news dot desk"; "bbc.co.uk" → "bbc dot co dot uk"."""
    address = address.strip().rstrip(".")
    spoken_parts = {".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus ", "/": " slash "}
    out = "".join(spoken_parts.get(ch, ch) for ch in address)
    return re.sub(r"\s+", " ", out).strip()


# ---------------------------------------------------------------------------------------------
# Patterns (in the order the reader applies them)

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<!\.)")
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)[^\s<>\"'()]+[^\s<>\"'().,;:!?]", re.I)
_DOMAIN = re.compile(
    r"(?<![\w@.-])((?:[A-Za-z0-9-]+\.)+(?:com|org|net|gov|edu|io|co|uk|de|fr|ua|ru|int|info|news|ai|"
    r"app|dev|tv|me|us|ca|au|eu|ly|in|ie|nz|mil|biz))\b((?:/[^\s<>\"'()]*[^\s<>\"'().,;:!?])?)"
)
_HANDLE = re.compile(r"(^|[\s(])@([A-Za-z0-9_]{1,30})\b")
_HASHTAG = re.compile(r"(^|[\s(])#([A-Za-z][A-Za-z0-9_]*)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b(?![/.]\d)")
_ORD = r"(?:st|nd|rd|th)?"
_DATE_US = re.compile(
    rf"\b({_MONTH_RE})\s+(\d{{1,2}}){_ORD}\b(?:\s*[-–]\s*(\d{{1,2}}){_ORD}\b)?(?![\d:%]|,\d|\.\d)"
    rf"(?:,?\s+(\d{{4}})\b(?![\d,]\d))?"
)
_DATE_GB = re.compile(
    rf"(?:\bthe\s+)?\b(\d{{1,2}}){_ORD}(?:\s*[-–]\s*(\d{{1,2}}){_ORD})?\s+(?:of\s+)?({_MONTH_RE})(?![\w])"
    rf"(?:,?\s+(\d{{4}})\b(?![\d,]\d))?"
)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\s+(?:of\s+)?(\d{{4}})\b(?![\d,]\d)")
_MERIDIEM_RE = r"(?:[AaPp]\.\s?[Mm]\.|[AaPp][Mm]\b)"
_TIME = re.compile(rf"(?<![\d:.])\b(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?(?![\d:])(?:\s?({_MERIDIEM_RE}))?")
_TIME_DOT = re.compile(rf"(?<![\d:.])\b(\d{{1,2}})\.(\d{{2}})()\s?({_MERIDIEM_RE})")
_ARTICLE_BEFORE = re.compile(r"\b[Aa]n?\s+$")


def _title_case(text: str) -> bool:
    """Whether ``text`` is a headline in title case: most of its longer words capitalised."""
    words = re.findall(r"\b[A-Za-z]{4,}", text)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:the|this|that|these|those|its|his|her|their|our|your|whose|each|every)|\w['’]s|\w-\w+,)\s+$",
    re.I,
)
# Words that, after an amount, show it is not describing a noun ("the $5 million it cost").
_NOT_NOUNS = frozenset(
    "a an the this that these those it its he she they we you i him her them us my his their our your "
    "is was were are be been being has had have will would could should may might must can do does did "
    "and or but nor than as so if because while when where which who whom whose that "
    "for in on at to from of by with over under into onto per about after before since until "
    "last next each every more less already still also only just now then again annually apiece "
    "worth back total altogether instead too overall between against toward towards through during "
    "across above below up down off out extra apart aside ago later earlier yearly monthly weekly "
    "today yesterday tomorrow tonight plus minus cheaper dearer online overseas abroad home "
    "went goes go came comes come said says say".split()
)
_TIME_HOUR = re.compile(rf"(?<![\d.:,])\b(\d{{1,2}})\s?({_MERIDIEM_RE})")
_MONEY_RANGE = re.compile(
    rf"(?<![\w$])({_SYMBOLS_RE})\s?({_NUM})({_SCALE_RE})?\s?(?:-|–|to)\s?(\1)?\s?({_NUM})({_SCALE_RE})?"
)
_MONEY = re.compile(rf"(?<![\w$])(-\s?)?({_SYMBOLS_RE})\s?({_NUM})({_SCALE_RE})?")
_MONEY_CODE_BEFORE = re.compile(rf"\b({_CODES_RE})\s?({_NUM})({_SCALE_RE})?")
_MONEY_CODE_AFTER = re.compile(rf"\b({_NUM})({_SCALE_RE})?\s({_CODES_RE})\b")
_CENTS = re.compile(r"\b(\d{1,3}(?:\.\d+)?)(?:\s?(¢)|(p)\b(?!\.?[mM]\b))")
_PERCENT = re.compile(rf"(?<![\w.])([-+])?({_NUM})(?:\s?(?:-|–|to)\s?({_NUM}))?\s?%")
_TEMPERATURE_RANGE = re.compile(
    rf"(?<![\w.])(-)?({_NUM})(?:\s?°\s?[CF]?|[CF])?\s?(?:-|–|to)\s?(-)?({_NUM})(?:\s?°\s?|(?<=\d))([CF])\b"
)
_TEMPERATURE = re.compile(rf"(?<![\w.])(-)?({_NUM})(?:\s?°\s?|(?<=\d))([CF])\b")
_DEGREES = re.compile(rf"(?<![\w.])(-)?({_NUM})\s?°")
_UNIT = re.compile(rf"(?<![\w.])({_NUM})(?:(-)|\s?)({_UNIT_RE})(?![\w/²³])")
_PHONE = re.compile(
    r"(?:\+\d{1,3}[\s-])?(?:\(\d{3}\)\s?|\b\d{3}[-.])\d{3}[-.]\d{4}\b|\b0\d{2,4}\s\d{3,4}\s\d{3,4}\b"
)
_DECADE = re.compile(r"\b(1[0-9][0-9]0|20[0-9]0)s\b")
_SHORT_DECADE = re.compile(r"(?<!\w)'(\d)0s\b")
_AGE_DECADE = re.compile(r"\b([1-9]0)s\b")
_ORDINAL = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:st|nd|rd|th)\b")
_MIXED_FRACTION = re.compile(r"\b(\d+)\s(\d{1,2})/(\d{1,2})\b")
_VULGAR = {
    "½": (1, 2),
    "⅓": (1, 3),
    "⅔": (2, 3),
    "¼": (1, 4),
    "¾": (3, 4),
    "⅕": (1, 5),
    "⅖": (2, 5),
    "⅗": (3, 5),
    "⅘": (4, 5),
    "⅙": (1, 6),
    "⅚": (5, 6),
    "⅐": (1, 7),
    "⅛": (1, 8),
    "⅜": (3, 8),
    "⅝": (5, 8),
    "⅞": (7, 8),
    "⅑": (1, 9),
    "⅒": (1, 10),
}
_UNICODE_FRACTION = re.compile(r"(?:\b(\d+)\s?)?([½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒])")
_SEASON = re.compile(r"\b((?:19|20)\d\d)/(\d\d)\b")
_FRACTION = re.compile(r"(?<![\w/])(\d{1,2})/(\d{1,2})(?![\w/])")
_YEAR_RANGE = re.compile(r"(?<![\w.,-])((?:1[1-9]|20)\d\d)\s?[-–]\s?((?:1[1-9]|20)\d\d|\d\d)(?![\w.,]\d|\d)")
_RANGE = re.compile(rf"(?<![\w.,-])({_NUM})\s?[-–]\s?({_NUM})(?![\w]|[.,]\d)")
_NEGATIVE = re.compile(rf"(^|[\s(\[,;:])-({_NUM})\b")
_SCALED = re.compile(
    rf"(?<![\w.])({_NUM})((?:\s+(?i:thousand|million|billion|trillion))\b|(?:mn|bn|tn|m|k|K)\b)"
)
_NUMBERED_ABBR = re.compile(
    r"\b(No|no|Nos|nos|Nr|p|pp|Vol|vol|Vols|Ch|ch|Art|Fig|fig|Sec|Para|para|Rte|Hwy|Apt|Ex|ca|c|est)\.\s?(\d[\d,.]*\d|\d)"
)
_NUMERO = re.compile(r"(?:\bN°|№)\.?\s?(?=\d)")
_NUMBER_SIGN = re.compile(r"(^|[\s(])#(\d[\d,]*)")
_MODEL = re.compile(r"\b(?:(Boeing|Airbus)\s|([A-Z])-?)(\d{3})\b(?![,.]\d)")
_LETTERS_DIGITS = re.compile(r"\b([A-Za-z]{1,6})-?(\d+(?:\.\d+)?)(s?)\b")
_HEIGHT = re.compile(r"(?<![\w.])(\d)'\s?(\d{1,2})(?:\"|'')")
_DOTTED_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+){2,}(?![\w.]|\.\d)")
_PLURAL_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})*)s\b")
_DIGITS_LETTERS = re.compile(r"\b(\d+)([A-Z]{1,2})\b")
_YEAR = re.compile(r"(?<![\w.,$€£-])((?:1\d|20)\d\d)(?![\w%°]|[.,]\d)")
_NUMBER = re.compile(rf"(?<![\w])\.\d+|{_NUM}")
_ROMAN = re.compile(
    r"(\b(?:King|Queen|Pope|Tsar|Czar|Emperor|Empress|Kaiser|Sultan|Pharaoh)\s+)?"
    rf"\b([A-Z][a-z]+)\s+(?=[IVXL])({_ROMAN_RE})\b(?![a-z])"
)
_STATE_RE = "|".join(re.escape(s) for s in sorted(_STATES, key=len, reverse=True))
_PARTY_TAG = re.compile(rf"\b([DRIL])-({_STATE_RE}|{'|'.join(_POSTAL)}|{'|'.join(_FULL_STATES)})\.?(?![\w-])")
_CITY_STATE = re.compile(rf"(\b[A-Z][a-z]+,\s)({_STATE_RE})\.(?=[\s,)]|$)")
_TITLE_DOTTED = re.compile(rf"\b({'|'.join(_TITLES_BEFORE_NAME)})\.\s*(?=[A-Z])")
_TITLE_UNDOTTED = re.compile(rf"\b({'|'.join(_UNDOTTED_TITLES)})\s+(?=[A-Z][a-z])")
_AFTER_NAME_RE = re.compile(rf"(\b[A-Za-z][\w'&-]*,?\s+|&\s+)({'|'.join(_AFTER_NAME)})\.(?=[\s,;:'’)\"]|$)")
_OTHER_ABBR = re.compile(
    r"(?<![\w.])(etc\.|e\.g\.|i\.e\.|et al\.|approx\.|vs\.|vs|cf\.|viz\.|incl\.|excl\.|Ph\.D\.|PhDs|PhD)"
    r"(?!\w)"
)
_VERSUS = re.compile(r"(?<=[A-Za-z]\s)v\.(?=\s+[A-Z])")
_MONTH_ABBR_RE = re.compile(r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.")
_MERIDIEM = re.compile(r"(?<![\w.])([ap]\.m\.|[AP]\.M\.)")
_DOTTED = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}(?:[A-Za-z](?![\w.]))?")
_INITIAL = re.compile(r"\b([A-Z])\.(?=\s+[A-Z])")
_CAPS_AMP = re.compile(r"\b([A-Z]{1,3})&([A-Z]{1,3})\b")
_CAPS_TOKEN = re.compile(r"(?<![\w'’])([A-Z]{2,})(['’](?:S|LL|RE|VE|D|M|T)|N['’]T|s|['’]s|['’])?(?![\w])")

_YEAR_CUES = frozenset(
    """in since by of from until till before after during to through between and or year years
    since circa c ca early late mid around about spring summer autumn fall winter season class
    january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec the this last next election budget census
    olympics cup ad bc""".split()
)
_COUNTED = frozenset(
    "people men women children police staff personnel cattle sheep deer fish feet teeth mice "
    "geese troops votes ".split()
)
_NOT_COUNTED = frozenset(
    """was is has does marks sees saw its this hers his yours ours theirs always perhaps
    elections""".split()
)


def _symbols(text: str) -> str:
    """Symbols as words, or gone when they are only typography."""
    text = text.replace("&", " and ")
    text = re.sub(r"(?<=\w)\+\+", " plus plus", text)
    text = re.sub(r"\+", " plus ", text)
    text = text.replace("@", " at ")
    text = text.replace("#", " number ")
    text = text.replace("%", " percent")
    text = re.sub(r"\s=\s|=", " equals ", text)
    text = re.sub(r"±", " plus or minus ", text)
    text = re.sub(r"≈|~(?=\s?\w)", " about ", text)
    text = text.replace("×", " by ")
    text = re.sub(r"<", " less than ", text)
    text = re.sub(r">", " more than ", text)
    text = text.replace("°", " degrees")
    text = text.replace("§", " section ")
    text = re.sub(r"(?<=[A-Za-z])/(?=[A-Za-z])", " ", text)
    text = re.sub(r"[$€£¥₴₹₽₩₦₪₺₱¢]", " ", text)
    return text


_DASHES = re.compile(r"\s+[—–-]{1,2}\s+|(?<=\w)—(?=\w)|\s*--\s*|^\s*[—–]\s*|\s*[—–]\s*$")
_DROP = re.compile(r"[*_^`|\\{}\[\]•·▪►▶◆■□●○★☆✓✔✗✘→←↑↓™®©¶†‡]")


_BLOCK_MARK = 0xF0000  # private-use characters stand for [[ ]] blocks while the text is cleaned


def _finish(text: str, *, english: bool = True) -> str:
    """Punctuation and spacing the engine reads well; no digits or stray symbols left."""
    blocks: list[str] = []

    def keep(m: re.Match[str]) -> str:
        blocks.append(m.group(0))
        return chr(_BLOCK_MARK + len(blocks) - 1)

    text = _PHONEME_BLOCK.sub(keep, text)
    text = _DASHES.sub(", ", text)
    text = _DROP.sub(" ", text)
    if english:
        out: list[str] = []
        for ch in text:
            category = unicodedata.category(ch)
            if category.startswith("S") and ch not in "'":
                out.append(" ")
            elif category == "No":
                value = unicodedata.numeric(ch, -1)
                out.append(f" {_cardinal(int(value), False)} " if value >= 0 and value == int(value) else " ")
            else:
                out.append(ch)
        text = re.sub(r"\d", lambda m: f" {_ONES[int(m.group(0))]} ", "".join(out))
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"^[\s,;:.]+(?=\S)", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub("[\U000f0000-\U000ffffd]", lambda m: blocks[ord(m.group(0)) - _BLOCK_MARK], text)
