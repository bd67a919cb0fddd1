"""Street addresses (US, UK, DE, FR, ES and their neighbours), type STREET_ADDRESS.

The pieces of an address each have a pattern: a house number and a street with its type
(``1600 Pennsylvania Avenue NW``, ``Friedhofstraße 33``, ``Calle Mayor 5``, ``12 rue de la
Paix``), a unit (``Apt. 864``, ``Suite 188``), a post-office box, a military address
(``PSC 3294, Box 9168``, ``APO AE 09012``), and postcodes in their national shapes (``DC 20500``,
``SW1A 1AA``, ``10115 Berlin``). Pieces of one address, next to each other or separated by a
city name, are reported as one span. Address findings score above the NER model's, so they
win where spaCy reads a street as a person (``179 Steven Shoals Suite 188``).
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional

from rasa_secure.core.budget import UNLIMITED, Deadline
from rasa_secure.core.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from rasa_secure.core.pii.scan import TextView

_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way|Court|Ct|Place|Pl"
    r"|Square|Sq|Terrace|Ter|Crescent|Cres|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Close|Grove"
    r"|Gardens|Gdns|Row|Mews|Trail|Trl|Plaza|Alley|Walk|Hill|Park|Shoals|Ridge|Heights|Loop"
    r"|Path|Pike|Point|Expressway|Freeway|Junction|Landing|Meadows?|Crossing|Estates?|Hollow"
    r"|Manor|Mills?|Orchard|Pass|Prairie|Ranch|Springs?|Station|Summit|Trace|Turnpike|Valley"
    r"|View|Village|Vista|Wells|Fields|Forest|Glen|Harbou?r|Haven|Island|Lakes?|Lodge|Oval"
    r"|Plains|Rapids|River|Shore|Stream|Green|Wharf|Parade|Broadway|Causeway|Embankment)"
)
"""Street types written after the name (US, UK, Faker's list of suffixes)."""

_PREFIX = (
    r"(?:Via|Viale|Vicolo|Corso|Piazza|Piazzale|Largo|Rua|Avenida|Av\.|Travessa|Calle|C/"
    r"|Carrer|Paseo|Plaza|Camino|Ronda|Rue|Avenue|Boulevard|Bd\.?|Chemin|All[ée]e|Impasse"
    r"|Place|Quai|Route|Cours|ul\.|ulica|Aleja|al\.)"
)
"""Street types written before the name (IT, PT, ES, FR, PL)."""

_COMPOUND = (
    r"(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|laan|straat|gracht"
    r"|plein|kade|dijk|vej|gade|gata|gatan|v[äa]gen|katu|tie|kuja|gate|veien|vei|utca|[úu]t)"
)
"""Street types glued to the name (DE, NL, Nordic, HU): ``Friedhofstraße``, ``Rooseveltlaan``."""

_NAME = r"[A-ZÀ-ÖØ-Þ][\w'\u2019.-]*"
_HOUSE = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
_LC = r"(?i:apt|apartment|suite|ste|unit|flat|wohnung|whg|piso|apto|appartement|bureau)"
_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE"
    r"|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)

_FIRST_TYPES = ("rue", "avenue", "boulevard", "chemin", "all", "impasse", "quai", "calle")
_FIRST_TYPES_MORE = ("avenida", "rua", "via", "piazza")
_POSTCODE = "bare postcode"
_ONLY_BESIDE_OTHERS = frozenset({_POSTCODE})
"""Pieces too plain to be an address alone (``12345``): kept only merged with a piece that
is one (``Apt. 120\n Castanhal\n Brazil 81581``)."""
_JOIN = re.compile(r"[\s,;.]{0,4}(?:(?:[A-ZÀ-Þ][\w'\u2019.-]*|[a-z]{1,3})[ \t]*[\s,;]{0,3}){0,3}")
"""What may stand between two pieces of one address: separators and up to three words (a
city name, ``Washington`` in ``Avenue NW, Washington DC 20500``)."""
_MAX_JOIN = 40


class StreetAddressRecognizer(RegexRecognizer):
    """House number and street, unit, PO box, military address, postcode; merged per address."""

    ENTITY_TYPE = "STREET_ADDRESS"
    PATTERNS = (
        Pattern(
            "number and street (type after the name)",
            rf"(?<![\w.,-]){_HOUSE}(?:[ \t]+\d{{1,5}})?[ \t]+(?:(?:[NSEW]|N[EW]|S[EW]|North|South"
            rf"|East|West)\.?[ \t]+)?(?:{_NAME}[ \t]+|(?:de|la|del|of|the)[ \t]+){{1,4}}"
            rf"{_SUFFIX}\b\.?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b\.?)?",
            0.9,
        ),
        Pattern(
            "number and street, lower case",
            r"(?i)(?<![\w.,-])\d{1,6}[a-z]?[ \t]+(?:[a-z][\w'.-]*[ \t]+){1,3}"
            r"(?:street|avenue|road|boulevard|blvd|lane|drive)\b",
            0.9,
            keywords=("street", "avenue", "road", "boulevard", "blvd", "lane", "drive"),
        ),
        Pattern(
            "street type first",
            rf"(?<![\w-]){_PREFIX}[ \t]+(?:(?:{_NAME}|d[aeiou]s?|l[ae]|les|del|della|di|l')[ \t]+)"
            rf"{{0,4}}{_NAME}(?:,?[ \t]+(?:n[º°o.]?[ \t]*)?{_HOUSE}\b)?",
            0.9,
        ),
        Pattern(
            "number then street type first",
            r"(?i)(?<![\w.,-])\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?:rue|avenue|boulevard|chemin"
            r"|all[ée]e|impasse|quai|calle|avenida|rua|via|viale|piazza)[ \t]+[\w'\u2019-]+"
            r"(?:[ \t]+[\w'\u2019-]+){0,2}",
            0.9,
            keywords=(*_FIRST_TYPES, *_FIRST_TYPES_MORE),
        ),
        Pattern(
            "street with its type glued on, then the number",
            rf"(?<![\w-])[A-ZÀ-Þ][\w'\u2019-]*{_COMPOUND}[ \t]+{_HOUSE}\b",
            0.9,
        ),
        Pattern(
            "street name and a separate type, then the number",
            rf"(?<![\w-]){_NAME}[ \t]+(?:Stra(?:ß|ss)e|Str\.|Weg|Gasse|Allee|Platz|Ring)[ \t]+"
            rf"{_HOUSE}\b",
            0.9,
        ),
        Pattern(
            "unit", rf"(?<![\w-]){_LC}\.?[ \t]*(?:(?:#|n[º°o]\.?)[ \t]*)?\d{{1,5}}[A-Za-z]?\b", 0.6
        ),
        Pattern(
            "post-office box",
            r"(?i)(?<![\w-])(?:p\.?[ \t]?o\.?[ \t]?box|post[ \t]+office[ \t]+box|postfach"
            r"|apartado(?:[ \t]+de[ \t]+correos)?|bo[iî]te[ \t]+postale)[ \t]*\d{1,7}\b",
            0.8,
            keywords=("box", "postfach", "apartado", "postale"),
        ),
        Pattern(
            "military unit and box",
            r"(?i)(?<![\w-])(?:psc|unit|cmr)[ \t]+\d{3,5},?[ \t]+box[ \t]+\d{1,5}\b",
            0.9,
            keywords=("box",),
        ),
        Pattern(
            "military post office",
            r"(?i)(?<![\w-])(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)[ \t]+\d{5}\b",
            0.9,
            keywords=("apo", "fpo", "dpo"),
        ),
        Pattern("us state and zip code", rf"(?<![\w-]){_STATES}[ \t]+\d{{5}}(?:-\d{{4}})?\b", 0.6),
        Pattern(
            "uk postcode",
            r"(?<![\w-])[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b",
            0.5,
        ),
        Pattern(_POSTCODE, r"(?<![\w.,/-])\d{4,5}(?![\w]|[.,/-]\d)", 0.2),
        Pattern(
            "postcode and city",
            r"(?<![\w.,-])\d{5}[ \t]+[A-ZÀ-Þ][a-zß-ÿ]+(?:[- ][A-ZÀ-Þ][a-zß-ÿ]+)?\b",
            0.3,
        ),
    )
    CONTEXT = (
        "address",
        "live",
        "living",
        "reside",
        "street",
        "ship",
        "deliver",
        "mail",
        "post",
        "located",
        "moved",
        "home",
        "adresse",
        "anschrift",
        "wohne",
        "dirección",
        "direccion",
        "domicilio",
        "vivo",
        "indirizzo",
        "abito",
        "morada",
        "endereço",
        "moro",
        "adres",
        "woon",
        "habite",
    )
    MIN_DIGITS = 1
    PRIORITY = 2

    def find(
        self, text: str, view: Optional[TextView] = None, deadline: Deadline = UNLIMITED
    ) -> Iterator[Candidate]:
        """The pieces of each address merged into one candidate (best score of its pieces)."""
        pieces = sorted(super().find(text, view, deadline), key=lambda c: (c.start, -c.end))
        merged: List[Candidate] = []
        for piece in pieces:
            if merged and _joined(text, merged[-1].end, piece.start):
                last = merged[-1]
                merged[-1] = Candidate(
                    **{
                        **last.__dict__,
                        "end": max(last.end, piece.end),
                        "score": max(last.score, piece.score),
                        "pattern": last.pattern if last.score >= piece.score else piece.pattern,
                    }
                )
            else:
                merged.append(piece)
        return (c for c in merged if c.pattern not in _ONLY_BESIDE_OTHERS)


def _joined(text: str, end: int, start: int) -> bool:
    """Whether the text between two pieces keeps them in one address."""
    if start <= end:
        return True
    return start - end <= _MAX_JOIN and _JOIN.fullmatch(text, end, start) is not None
