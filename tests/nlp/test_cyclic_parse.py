"""A parse in which two words head each other (natasha's parser makes such cycles now and then) must not hang
the event rules: every walk over the tree visits a token once."""

from __future__ import annotations

from nlp.countries import load_countries
from nlp.events import document_events
from nlp.events.frames import CensorshipFrame
from nlp.events.lexicon import load_lexicon
from nlp.events.parties import PartyResolver
from nlp.events.view import DocView, Tok
from nlp.gazetteer import load_gazetteer

TEXT = "Власти заблокировали сайт Kloop."


def tok(i: int, text: str, lemma: str, pos: str, rel: str, head: int, start: int) -> Tok:
    return Tok(i, text, text.lower(), lemma, pos, rel, head, 0, start, start + len(text))


def cyclic_view() -> DocView:
    tokens = [
        tok(0, "Власти", "власть", "NOUN", "subj", 1, 0),
        tok(1, "заблокировали", "заблокировать", "VERB", "root", -1, 7),
        # "сайт" is the verb's object, but the parser also made it a dependent of its own dependent
        tok(2, "сайт", "сайт", "NOUN", "amod", 3, 21),
        tok(3, "Kloop", "kloop", "PROPN", "obj", 2, 26),
        tok(4, ".", ".", "PUNCT", "punct", 1, 31),
    ]
    tokens[3].head, tokens[2].head = 2, 3  # 2 → 3 → 2: a cycle
    return DocView(TEXT, "ru", tokens, [(0, 5)], None)


def test_the_phrase_of_a_word_in_a_cycle_is_found_once() -> None:
    view = cyclic_view()
    lexicon = load_lexicon("ru")
    frame = CensorshipFrame(view, lexicon, PartyResolver(view, lexicon, load_countries()))
    assert frame.phrase(view.tokens[2]) == "сайт Kloop"
    assert frame.phrase(view.tokens[3]) == "сайт Kloop"


def test_events_of_a_document_with_a_cyclic_parse_are_read() -> None:
    events = document_events(cyclic_view(), load_gazetteer(), load_countries())
    assert isinstance(events, list)  # returns at all (it looped for ever before)
