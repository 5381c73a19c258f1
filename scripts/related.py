"""Related passages: paragraphs of other letters that argue about the same matter, and what they share.

A pure pass over the model, within one discussion at a time (so the work grows with the number of
discussions, and another source never changes a discussion's links). Each paragraph becomes a bag of
features, each weighted by its rarity among the discussion's paragraphs (inverse document frequency):

- the glossary concepts it mentions (by term id), except the responded-to article itself;
- names, recognised as names: a run of capitalised words is one name ("United States",
  "Department of Justice"), so "Department of State" and "Department of Justice" are two names and
  "United States" is never "States, United"; a word capitalised only because it starts a sentence is
  not a name; the article's title and authors, which every letter names, are no feature at all;
- content words, stop words removed and reduced to their stem ("collaboration", "collaborative"),
  and two-word phrases ("bilateral relations").

A pair's score is the cosine similarity of the two paragraphs' weighted features (so a long
paragraph is not related to everything by its many words); a pair is shown only when the score
reaches ``MIN_SCORE``, no fewer than ``MIN_SHARED`` features are shared and one of them is more
than a word (a concept, a name or a phrase: two words in common are chance); tests/test_related.py
holds the table of pairs judged related and unrelated that these thresholds were set from. Each
link says what the two paragraphs share in a few words, from its strongest features, printed as
the text prints them. Links made by hand (scripts/see_also.py) win over computed ones.

Libraries: snowballstemmer (the Snowball English stemmer) and stop-words (its English list). The
rest is written here because what it needs is small and specific to these texts: scikit-learn's
TfidfVectorizer would compute the weights but is a large dependency for seventeen paragraphs, and
knows neither glossary terms nor names; the name rule (runs of capitalised words, sentence starts)
is a few lines that no small maintained library offers without a language model (spaCy, NLTK's
taggers with their data downloads).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import NamedTuple

import snowballstemmer
from stop_words import get_stop_words

from scripts.model import Discussion, Mention, PassageKey, Related, Term, passage_key
from scripts.see_also import HandLink

LIMIT = 3            # computed links listed per paragraph, strongest first (after any made by hand)
# A pair is shown when its similarity reaches MIN_SCORE and it shares at least MIN_SHARED features. Set
# from the judged table (tests/test_related.py): on the seed, the weakest pair judged related that the
# computation can find scores 0.040, the strongest judged unrelated 0.034 (one more, at 0.042, shares
# only "securitization" and "cooperation": see_also.yml hides it); one shared feature alone (a word, or
# the discussion's subject, "securitization") is not an argument in common.
MIN_SCORE = 0.037
MIN_SHARED = 2
REASON_FEATURES = 3  # features named in a link's reason

# A feature's kind multiplies its rarity: a concept the glossary explains says most about what a
# paragraph argues, a name or a phrase more than a single word (in seventeen paragraphs a rare word,
# "recognized", "increasingly", is as often chance as a shared subject).
KIND_WEIGHT = {"term": 3.0, "name": 1.5, "phrase": 1.5, "word": 0.5}

_WORD = re.compile(r"[^\W\d_][\w&’'-]*[^\W_]|[^\W\d_]")
_POSSESSIVE = re.compile(r"[’']s?$")
_SENTENCE_END = ".!?:;“\"(—‘"
# Lower-case words that join a multi-word name: "Department of Justice", "Agreement on Cooperation".
_NAME_JOINERS = frozenset({"of", "the", "on", "for"})


class Token(NamedTuple):  # a tuple: a discussion has tens of thousands (a frozen dataclass took a third longer)
    text: str      # as printed, without a possessive ending
    start: int
    end: int
    starts_sentence: bool

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(w.replace("'", "’") for w in get_stop_words("en")) | frozenset(get_stop_words("en"))


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


@cache  # a discussion's words repeat: stemming each again was half of the time of relating its passages
def _stem(word: str) -> str:
    return _stemmer().stemWord(word.casefold())


@lru_cache(maxsize=256)  # a paragraph's text is read for names, proper words and features: up to three times
def tokens(text: str) -> tuple[Token, ...]:
    """The words of a text, each with whether it starts a sentence.

    >>> [(t.text, t.starts_sentence) for t in tokens("China’s leader. The US-China pact")]
    [('China', True), ('leader', False), ('The', True), ('US-China', False), ('pact', False)]
    """
    found, end = [], -1  # end: where the last word ended (-1: none yet)
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        if word[-2:] in ("’s", "'s"):
            word = _POSSESSIVE.sub("", word)
        # what comes before the word but spaces (only since the last word, which ends in a letter or digit)
        gap = text[max(end, 0) : start].rstrip()
        found.append(Token(word, start, start + len(word), gap[-1] in _SENTENCE_END if gap else end < 0))
        end = match.end()
    return tuple(found)


def names(text: str, proper: set[str]) -> list[tuple[str, int, int]]:
    """Names in a text: runs of capitalised words (joined by "of", "the", "on", "for"), as printed, with
    where each is. A capitalised word that starts a sentence is part of a name only if it is in ``proper``,
    the words the discussion capitalises elsewhere than at a sentence's start, or an acronym ("US"); a
    single capital ("I") is never a name.

    >>> names("The United States and the Department of Justice. Scientific communities in China.", {"china"})
    [('United States', 4, 17), ('Department of Justice', 26, 47), ('China', 75, 80)]
    """
    words = tokens(text)
    found, run = [], []

    def close() -> None:
        while run and run[-1].text in _NAME_JOINERS:
            run.pop()
        if run:
            found.append((text[run[0].start : run[-1].end], run[0].start, run[-1].end))
        run.clear()

    for i, token in enumerate(words):
        adjacent = run and text[run[-1].end : token.start].strip() == "" and not token.starts_sentence
        if token.capitalised:
            if len(token.text) == 1 or (token.starts_sentence and not _is_proper(token.text, proper)):
                close()
                continue
            if not adjacent:
                close()
            run.append(token)
        elif adjacent and token.text in _NAME_JOINERS and i + 1 < len(words) and words[i + 1].capitalised:
            run.append(token)
        else:
            close()
    close()
    return found


def _is_proper(word: str, proper: set[str]) -> bool:
    """Whether a word is one the discussion capitalises mid-sentence (each part of "China-US", or an acronym)."""
    return all(part.casefold() in proper or (len(part) > 1 and part.isupper()) for part in word.split("-"))


def _name_key(name: str) -> str:
    """What a name is compared by: its words in lower case, a pair of joined names in either order.

    >>> _name_key("US-China"), _name_key("China-US"), _name_key("Department of Justice")
    ('china-us', 'china-us', 'department of justice')
    """
    words = []
    for word in _WORD.findall(name):
        parts = word.split("-")
        words.append("-".join(sorted(p.casefold() for p in parts)) if all(p[:1].isupper() for p in parts)
                     else word.casefold())
    return " ".join(words)


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """The text with ``spans`` replaced by spaces (so their words are not counted twice)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@dataclass(frozen=True)
class Feature:
    key: str     # what is compared: "term:ID", "name:united states", "phrase:bilater relat", "word:collabor"
    kind: str    # a KIND_WEIGHT key
    label: str   # how a reason prints it: the term's name, the name or phrase as printed


def features(text: str, mentions: tuple[Mention, ...], labels: dict[str, str], proper: set[str],
             silent: set[str]) -> dict[str, Feature]:
    """A paragraph's features, by key. ``silent``: casefolded words and texts that carry no signal (the
    responded-to article's title and authors); a term mention that is one of them is not a feature."""
    found: dict[str, Feature] = {}

    def add(feature: Feature) -> None:
        found.setdefault(feature.key, feature)

    for m in mentions:
        if text[m.start : m.end].casefold() not in silent:
            add(Feature(f"term:{m.term}", "term", labels.get(m.term, m.term)))
    rest = _blank(text, ((m.start, m.end) for m in mentions))
    spans = []
    for name, start, end in names(rest, proper):
        spans.append((start, end))
        words = [w.casefold() for w in _WORD.findall(name)]
        if not all(w in silent or w in _NAME_JOINERS for w in words):
            add(Feature("name:" + _name_key(name), "name", name))
    rest = _blank(rest, spans)
    previous: Token | None = None
    for token in tokens(rest):
        word = token.text.casefold()
        if word in _stop_words() or word in silent or len(word) < 3:
            previous = None
            continue
        add(Feature(f"word:{_stem(word)}", "word", word))
        if previous and rest[previous.end : token.start].strip() == "":
            add(Feature(f"phrase:{_stem(previous.text)} {_stem(word)}", "phrase",
                        f"{previous.text.casefold()} {word}"))
        previous = token
    return found


def _silent(d: Discussion, proper: set[str]) -> set[str]:
    """What tells nothing because every letter says it: the responded-to article's title and its authors (from
    the metadata), and the words of names that every letter (of three or more) prints ("Shih", "Wagner",
    "China": the authors even where no metadata names them)."""
    texts = [d.responds_to, str(d.fact("responds_to_authors", "") or "")]
    silent = {t.casefold() for t in texts if t} | {w.casefold() for t in texts for w in _WORD.findall(t)}
    if len(d.letters) >= 3:
        printed = [{w.casefold() for p in letter.paragraphs for name, _, _ in names(p.text, proper)
                    for w in _WORD.findall(name)} for letter in d.letters]
        silent |= set.intersection(*printed) - _NAME_JOINERS
    return silent


def _proper(d: Discussion) -> set[str]:
    """The words the discussion capitalises somewhere other than at a sentence's start: names, wherever they are."""
    return {t.text.casefold() for letter in d.letters for p in letter.paragraphs for t in tokens(p.text)
            if t.capitalised and not t.starts_sentence}


def reason(shared: list[Feature]) -> str:
    """What a link's two paragraphs share, in a few words.

    >>> reason([Feature("term:x", "term", "the China Initiative"), Feature("name:a", "name", "visa restrictions")])
    'both discuss: the China Initiative, visa restrictions'
    """
    return "both discuss: " + ", ".join(f.label for f in shared)


def _words(label: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", label.casefold()))


def _named(shared: list[Feature]) -> list[Feature]:
    """The features a reason names: concepts, names and phrases, strongest first, then single words only to
    make two; none whose words another named one already says; none left unlabelled (``_nameable``).

    >>> f = [Feature("word:x", "word", "costs"), Feature("term:s", "term", "securitization"),
    ...      Feature("name:c", "name", "China"), Feature("phrase:a b", "phrase", "China policy")]
    >>> [x.label for x in _named(f)], [x.label for x in _named(f[:2])]
    (['securitization', 'China policy'], ['securitization', 'costs'])
    """
    chosen: list[Feature] = []
    others = [f for f in shared if f.kind != "word" and f.label]
    words = [f for f in shared if f.kind == "word" and f.label][: max(0, 2 - len(others))]
    for f in [*others, *words]:
        said = _words(f.label)
        if any(said <= _words(c.label) for c in chosen):
            continue
        chosen = [c for c in chosen if not _words(c.label) < said] + [f]
        if len(chosen) == REASON_FEATURES:
            break
    return chosen


def _nameable(a: Feature, b: Feature, df: int, paragraphs: int) -> bool:
    """Whether a reason may name a shared feature: not if half the discussion's paragraphs have it (its common
    ground, "China"), nor a word the two print differently ("driving" and "drive" count, but do not read)."""
    return 2 * df <= paragraphs and (a.kind != "word" or a.label == b.label)


def scored_pairs(d: Discussion, mentions: dict[PassageKey, tuple[Mention, ...]],
                 labels: dict[str, str]) -> dict[tuple[PassageKey, PassageKey], tuple[float, list[Feature]]]:
    """Every pair of paragraphs of different letters, with its score and shared features (strongest first)."""
    proper = _proper(d)
    silent = _silent(d, proper)
    found: dict[PassageKey, dict[str, Feature]] = {}
    for letter in d.letters:
        for p in letter.paragraphs:
            key = passage_key(d, letter, p)
            found[key] = features(p.text, mentions.get(key, ()), labels, proper, silent)
    df = Counter(k for feats in found.values() for k in feats)
    # A concept every letter names (of three or more) is the discussion's common ground, not a link between
    # two: the responded-to article, whichever way each letter names it.
    letters = defaultdict(set)
    for key, feats in found.items():
        for k, f in feats.items():
            if f.kind == "term":
                letters[k].add(key[1])
    everywhere = {k for k, seen in letters.items() if len(d.letters) >= 3 and len(seen) == len(d.letters)}
    weight = {k: 0.0 if k in everywhere else math.log(len(found) / n) for k, n in df.items()}
    vectors = {key: {k: KIND_WEIGHT[f.kind] * weight[k] for k, f in feats.items()} for key, feats in found.items()}
    norm = {key: math.sqrt(sum(w * w for w in v.values())) or 1.0 for key, v in vectors.items()}
    keys = list(found)
    pairs = {}
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if a[1] == b[1]:
                continue  # other letters only
            shared = [found[a][k] if _nameable(found[a][k], found[b][k], df[k], len(found))
                      else replace(found[a][k], label="") for k in found[a].keys() & found[b].keys() if weight[k]]
            strength = {f.key: vectors[a][f.key] * vectors[b][f.key] for f in shared}
            shared.sort(key=lambda f: (-strength[f.key], f.key))
            pairs[(a, b)] = (sum(strength.values()) / (norm[a] * norm[b]), shared)
    return pairs


def related_within(d: Discussion, mentions: dict[PassageKey, tuple[Mention, ...]], labels: dict[str, str],
                   hand: dict[frozenset[PassageKey], HandLink] | None = None) -> dict[PassageKey, tuple[Related, ...]]:
    """One discussion's links: for each paragraph, the links made by hand (``hand``, by pair; see_also.yml),
    then its ``LIMIT`` strongest computed ones. A hand-made link's note replaces the computed reason;
    ``hide`` drops the pair."""
    hand = hand or {}
    related: dict[PassageKey, list[Related]] = defaultdict(list)
    for (a, b), (score, shared) in scored_pairs(d, mentions, labels).items():
        link = hand.get(frozenset((a, b)))
        if link and link.hide:
            continue
        if link:
            found = Related(b, link.note, round(score, 3), by_hand=True)
        elif score >= MIN_SCORE and len(shared) >= MIN_SHARED and any(f.kind != "word" for f in shared):
            found = Related(b, reason(_named(shared)), round(score, 3))
        else:
            continue
        related[a].append(found)
        related[b].append(replace(found, key=a))
    order = {passage_key(d, letter, p): n for n, (letter, p) in enumerate(
        (letter, p) for letter in d.letters for p in letter.paragraphs)}
    listed = {}
    for key, items in related.items():
        items.sort(key=lambda r: (not r.by_hand, -r.score, order[r.key]))
        hand_made = sum(r.by_hand for r in items)
        listed[key] = tuple(items[: hand_made + LIMIT])
    return listed


def related_passages(discussions: list[Discussion], mentions: dict[PassageKey, tuple[Mention, ...]],
                     terms: tuple[Term, ...], hand: dict[frozenset[PassageKey], HandLink] | None = None,
                     ) -> dict[PassageKey, tuple[Related, ...]]:
    """Every discussion's related passages, each computed from its own text (and its hand-made links) alone."""
    labels = {t.id: t.term for t in terms}
    related: dict[PassageKey, tuple[Related, ...]] = {}
    for d in discussions:
        related |= related_within(d, mentions, labels, hand)
    return related
