"""stanwire NLP: organizations, countries, agreement and censorship events, topics (English and Russian).

`build_pipeline(model)` loads the pipelines once; `analyze(pipes, DocumentInput)` returns a `DocumentAnalysis`
whose `dataclasses.asdict` is the JSON documented in docs/architecture.md. Knows nothing of I/O or storage.
"""

from nlp.analysis import analyze, analyze_many
from nlp.errors import GazetteerError, InvalidDocumentError, ModelNotFoundError, NlpError
from nlp.parallel import Failure, analyze_each
from nlp.pipeline import NLP_VERSION, Pipelines, build_pipeline
from nlp.records import (
    CountryMention,
    DocumentAnalysis,
    DocumentInput,
    Event,
    EventParty,
    OrganizationMention,
)

__all__ = [
    "NLP_VERSION",
    "CountryMention",
    "DocumentAnalysis",
    "DocumentInput",
    "Event",
    "EventParty",
    "Failure",
    "GazetteerError",
    "InvalidDocumentError",
    "ModelNotFoundError",
    "NlpError",
    "OrganizationMention",
    "Pipelines",
    "analyze",
    "analyze_each",
    "analyze_many",
    "build_pipeline",
]
