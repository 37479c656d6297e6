"""Agreement and censorship events: one skeleton for every language.

`document_events(view, gazetteer, countries)` reads a document's `DocView` (from `adapt_en.view_of` or
`adapt_ru.view_of`) with the language's lexicon (`data/events/<language>.yaml`): the frames of
`nlp.events.frames` give one draft per trigger, `nlp.events.discourse` the document's events.
"""

from __future__ import annotations

from nlp.countries import CountryLexicon
from nlp.events.discourse import Discourse
from nlp.events.frames import sentence_drafts
from nlp.events.lexicon import load_lexicon
from nlp.events.parties import PartyResolver
from nlp.events.view import DocView
from nlp.gazetteer import Gazetteer
from nlp.records import Event

__all__ = ["document_events"]


def document_events(view: DocView, gazetteer: Gazetteer, countries: CountryLexicon) -> list[Event]:
    """The agreement and censorship events of one document."""
    lexicon = load_lexicon(view.language)
    resolver = PartyResolver(view, lexicon, countries)
    drafts = sentence_drafts(view, lexicon, resolver)
    return Discourse(view, lexicon, resolver, gazetteer, countries).events(drafts)
