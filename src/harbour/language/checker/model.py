"""The statistical half of the checker: linguistic features of a sentence, and a small logistic
regression over them, stored as plain weights (``model.json``) so that scoring needs no
scikit-learn and every decision can be explained word by word.

Features (``sentence_features``), each tied to the tokens that raised it:

* **Words**: lemmas, with people's names, ages and numbers replaced by what they are
  (``<name>``, ``<age:child>``, ``<age:adult>``, ``<num>``), and adjacent pairs of them.
* **Who the sentence is about** (``subj=child`` / ``subj=adult`` / ``subj=none``): the first
  referent in the sentence, from the rules' word classes (a first name, YP/CYP, a child noun or
  he/she/they; an adult or agency noun, Mr X, the mother).
* **Word classes crossed with the subject**: volition (chose, wants, happy to, willingly),
  criminal labels (runner, dealer, offender), adult descriptors (mature, streetwise, grown),
  non-engagement (refuses, engage, DNA), relationships (boyfriend, partner), self-risk
  (himself, risky, own actions), and exploitation named (groomed, exploited, made to).
* **Age contrast**: a child's age (10-17) beside an adult's (18+) in the same sentence.
* **Quotation challenged**: quotation marks with words that name and challenge a phrase.
* **Rules**: which of the rules fired on the sentence, guards applied (``rule=<id>``).

``train.py`` fits the weights on the development part of the language set only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Span, Token

# Word classes for the features. They name kinds of words, not phrases: a word in a class only
# counts in combination with who the sentence is about, and the weights are learnt.
WORD_CLASSES: Mapping[str, frozenset[str]] = {
    "volition": frozenset(
        [
            "choose",
            "choice",
            "chose",
            "chosen",
            "want",
            "wish",
            "decide",
            "decision",
            "willing",
            "willingly",
            "happy",
            "prefer",
            "rather",
            "like",
            "enjoy",
            "voluntarily",
            "voluntary",
            "keen",
            "insist",
            "agree",
            "consent",
            "consensual",
            "lifestyle",
            "free",
            "freely",
            "own",
            "accord",
            "wanting",
            "likes",
            "determined",
            "adamant",
            "refuse",
            "fun",
            "money",
            "fame",
            "desperate",
            "seek",
            "seeks",
            "approval",
            "responsibility",
            "accept",
            "buzz",
            "thrill",
            "excitement",
            "loyal",
            "loyalty",
            "opt",
            "opted",
            "courting",
        ]
    ),
    "criminal_label": frozenset(
        [
            "runner",
            "dealer",
            "offender",
            "supplier",
            "mule",
            "member",
            "nominal",
            "criminal",
            "perpetrator",
            "suspect",
            "courier",
            "player",
            "seller",
            "shotter",
            "deal",
            "dealing",
            "sell",
            "selling",
            "supply",
            "run",
            "running",
            "work",
            "working",
            "affiliate",
            "affiliated",
            "associate",
            "involved",
            "involvement",
            "recruit",
            "recruiter",
            "recruiting",
            "holder",
            "holding",
            "carry",
            "carrying",
            "lookout",
            "enforcer",
            "youth",
            "offending",
            "gang",
            "line",
            "drug",
            "drugs",
        ]
    ),
    "adult_descriptor": frozenset(
        [
            "mature",
            "maturity",
            "streetwise",
            "street",
            "wise",
            "smart",
            "savvy",
            "grown",
            "adult",
            "man",
            "woman",
            "hardened",
            "sophisticated",
            "independent",
            "manipulative",
            "intimidating",
            "aggressive",
            "sexualised",
            "experienced",
            "capable",
            "old",
            "older",
            "years",
            "beyond",
            "knowing",
            "look",
            "himself",
            "herself",
            "themselves",
            "angel",
            "confident",
            "cocky",
            "big",
            "tall",
            "physically",
            "presents",
            "appear",
            "appears",
            "come",
            "across",
        ]
    ),
    "non_engagement": frozenset(
        [
            "engage",
            "engagement",
            "engaging",
            "disengage",
            "refuse",
            "refusal",
            "decline",
            "declined",
            "cooperate",
            "co-operate",
            "uncooperative",
            "attend",
            "attendance",
            "dna",
            "avoid",
            "avoidant",
            "reluctant",
            "resistant",
            "unwilling",
            "absent",
            "available",
            "hostile",
            "blank",
            "ignore",
            "ignoring",
            "abscond",
            "open",
            "rude",
            "difficult",
            "non-compliant",
            "compliant",
            "comply",
            "closed",
            "case",
            "withdraw",
            "discharge",
            "help",
            "attender",
            "non-attender",
            "appointment",
            "appointments",
            "session",
            "sessions",
            "commitment",
            "operate",
            "excuse",
            "fail",
            "failed",
            "pin",
            "opt",
            "opted",
            "miss",
            "missed",
            "missing",
            "let",
        ]
    ),
    "relationship": frozenset(
        [
            "boyfriend",
            "girlfriend",
            "partner",
            "relationship",
            "sex",
            "sexual",
            "date",
            "dating",
            "ex",
            "fiance",
            "fiancé",
            "engaged",
            "love",
            "seeing",
            "sleep",
            "sleeping",
            "together",
            "going",
            "couple",
            "marry",
            "romantic",
            "sexually",
            "active",
            "promiscuous",
        ]
    ),
    "self_risk": frozenset(
        [
            "risk",
            "risky",
            "danger",
            "dangerous",
            "himself",
            "herself",
            "themselves",
            "themself",
            "vulnerable",
            "own",
            "fault",
            "action",
            "actions",
            "reckless",
            "choices",
            "behaviour",
            "behavior",
            "expose",
            "place",
            "put",
            "putting",
            "placing",
            "open",
            "knew",
            "anyway",
            "despite",
            "warned",
        ]
    ),
    "exploitation_named": frozenset(
        [
            "exploit",
            "exploited",
            "exploitation",
            "exploiting",
            "groom",
            "groomed",
            "grooming",
            "coerce",
            "coerced",
            "coercion",
            "force",
            "forced",
            "made",
            "make",
            "victim",
            "abuse",
            "abused",
            "abuser",
            "abusing",
            "control",
            "controlled",
            "controlling",
            "threaten",
            "threatened",
            "trafficked",
            "trafficking",
            "nrm",
            "safeguarding",
            "harm",
            "harmed",
            "pressure",
            "pressured",
            "manipulated",
            "debt",
            "bondage",
            "cannot",
            "law",
            "rape",
            "raped",
            "offence",
            "perpetrator",
        ]
    ),
    "challenge": frozenset(
        [
            "phrase",
            "language",
            "term",
            "wording",
            "word",
            "words",
            "replace",
            "replaced",
            "reword",
            "reworded",
            "instead",
            "challenge",
            "challenged",
            "victim-blaming",
            "blaming",
            "blame",
            "inappropriate",
            "describe",
            "described",
            "rather",
            "quote",
            "quoted",
            "called",
        ]
    ),
}
QUOTE_CHARS = frozenset('"“”‘’')
_AGE_TOKEN = re.compile(r"^(\d{1,2})(?:yo|yrs?|y/o|yr)?$", re.IGNORECASE)
CHILD_AGES = range(8, 18)
ADULT_AGES = range(18, 80)
NEGATIONS = frozenset({"none", "nothing", "cannot", "nobody", "neither", "nor", "without"})
CALENDAR = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "christmas",
        "easter",
    ]
)
CHILD_ABBREVIATIONS = frozenset({"yp", "cyp", "child", "young", "teen", "teenager", "minor"})


@dataclass(frozen=True)
class Contribution:
    """One feature's share of the decision and the words that raised it."""

    feature: str
    weight: float
    tokens: tuple[int, ...]


@dataclass(frozen=True)
class Score:
    probability: float
    category: str
    contributions: tuple[Contribution, ...]  # positive contributions, largest first


# A sentence can only be flagged by the model if it carries evidence of one of the framings (a
# word of a framing class, a child's age beside an adult's, or a rule's match) and is not about
# an adult: the weights decide among such sentences, never on incidental words alone.
EVIDENCE = (
    "c=volition",
    "c=criminal_label",
    "c=adult_descriptor",
    "c=non_engagement",
    "c=relationship",
    "c=self_risk",
    "age_contrast",
    "rule=",
)


def eligible(features: Mapping[str, object]) -> bool:
    """Evidence of a framing, a subject that is not an adult, and no coercion named in the
    passive ("was told by the older males to", "has been forced to"; see ``EVIDENCE``)."""
    if "subj=adult" in features or "coerced" in features:
        return False
    return any(name.startswith(EVIDENCE) for name in features)


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    z = math.exp(value)
    return z / (1.0 + z)


class SentenceFeatures:
    """Turns a sentence (a spaCy ``Span`` with lemmas set) into features mapped to tokens."""

    def __init__(
        self,
        *,
        in_class: Callable[[str, Token], bool],
        is_common_word: Callable[[str], bool],
    ) -> None:
        self._in = in_class
        self._common = is_common_word

    def word(self, token: Token, first: bool) -> str:
        text = token.text
        match = _AGE_TOKEN.match(text)
        if match:
            value = int(match.group(1))
            if value in CHILD_AGES:
                return "<age:child>"
            if value in ADULT_AGES:
                return "<age:adult>"
            return "<num>"
        if token.like_num:
            return "<num>"
        if self._name(token, first):
            return "<name>"
        return token.lemma_ or token.lower_

    def _name(self, token: Token, first: bool) -> bool:
        text = token.text
        if not token.is_alpha or not text[:1].isupper():
            return False
        if len(text) > 1 and text.isupper():
            return False
        lower = token.lower_
        if lower in CALENDAR:
            return False
        if self._in("ADULT", token) or self._in("CHILD", token) or self._in("TITLE", token):
            return False
        return not (first and self._common(lower))

    def __call__(
        self, sent: Span, rule_hits: Iterable[tuple[str, int, int]] = ()
    ) -> dict[str, tuple[int, ...]]:
        features: dict[str, list[int]] = {}

        def add(name: str, *indexes: int) -> None:
            features.setdefault(name, []).extend(indexes)

        tokens = [t for t in sent if (not t.is_space and not t.is_punct) or t.text in QUOTE_CHARS]
        words = []
        child_ages: list[int] = []
        adult_ages: list[int] = []
        for position, token in enumerate(tokens):
            word = self.word(token, position == 0)
            words.append((word, token.i))
            if word == "<age:child>":
                child_ages.append(token.i)
            elif word == "<age:adult>":
                adult_ages.append(token.i)
        for word, i in words:
            if word in {"'", '"', "“", "”", "‘", "’"}:
                continue
            add(f"w={word}", i)
        content = [(w, i) for w, i in words if w not in {"'", '"', "“", "”", "‘", "’"}]
        for (a, i), (b, j) in itertools.pairwise(content):
            add(f"b={a}_{b}", i, j)

        subject, subject_at = self._subject(sent)
        add(f"subj={subject}", *subject_at)
        lowered = {i: (w, sent.doc[i]) for w, i in words}
        for name, members in WORD_CLASSES.items():
            hits = [
                i for i, (w, token) in lowered.items() if w in members or token.lower_ in members
            ]
            if hits:
                add(f"c={name}", *hits)
                add(f"c={name}&subj={subject}", *hits)
        negations = [
            i for i, (w, token) in lowered.items() if self._in("NEG", token) or w in NEGATIONS
        ]
        if negations:
            add("neg", *negations)
            for name in WORD_CLASSES:
                if f"c={name}" in features:
                    add(f"neg&c={name}", *negations)
        for token in sent:
            if token.i > sent.start and self._in("COERCION", token):
                before = sent.doc[token.i - 1]
                if self._in("BE", before) or before.lower_ in {"been", "being", "get", "got"}:
                    add("coerced", before.i, token.i)
        if child_ages and adult_ages:
            add("age_contrast", *(child_ages + adult_ages))
        if any(t.text in QUOTE_CHARS or t.text == "'" for t in sent):
            add("quoted")
            challenge = [i for i, (w, t) in lowered.items() if w in WORD_CLASSES["challenge"]]
            if challenge:
                add("quoted&challenge", *challenge)
        for rule_id, start, end in rule_hits:
            add(f"rule={rule_id}", *range(start, end))
        return {name: tuple(indexes) for name, indexes in features.items()}

    def _subject(self, sent: Span) -> tuple[str, tuple[int, ...]]:
        """The first referent in the sentence: the child, an adult (or agency), or none. An
        adult who says, notes or describes something ("PC noted that Alfie ...", "Mum
        describes Leon as ...") is not the subject: the first referent after the verb is."""
        found = self._first_referent(sent, sent.start)
        if found[0] == "adult":
            for token in sent[found[1][0] - sent.start + 1 :]:
                if self._in("REPORTING", token) or self._in("SPEECH", token):
                    after = self._first_referent(sent, token.i + 1)
                    if after[0] == "child":
                        return "reported_child", after[1]
                    break
        return found

    def _first_referent(self, sent: Span, begin: int) -> tuple[str, tuple[int, ...]]:
        skip_to = -1
        for token in sent.doc[begin : sent.end]:
            if token.is_space or token.is_punct or token.i <= skip_to:
                continue
            lower = token.lower_
            following = sent.doc[token.i + 1] if token.i + 1 < sent.end else None
            if following is not None and following.lower_ in {"'s", "’s", "s'"}:
                # "Leanne's mum", "the YP's social worker": the owner is not the subject.
                skip_to = token.i + 1
                continue
            if lower in {"his", "her", "their"}:
                continue
            if lower in {"i", "we"}:
                return "adult", (token.i,)
            if self._in("TITLE", token):
                return "adult", (token.i,)
            if self._in("ADULT", token):
                return "adult", (token.i,)
            if lower in CHILD_ABBREVIATIONS or self._in("CHILD", token):
                return "child", (token.i,)
            if lower in {"he", "she", "they"}:
                return "child", (token.i,)
            if self._name(token, token.i == sent.start):
                return "child", (token.i,)
        return "none", ()


class SentenceModel:
    """A binary logistic regression (does the sentence attribute responsibility for harm to a
    child?) and a multinomial one (which category), as weights over named features."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = data["version"]
        self.threshold: float = float(data["threshold"])
        self.intercept: float = float(data["intercept"])
        self.weights: dict[str, float] = dict(data["weights"])
        self.categories: list[str] = list(data["categories"])
        self.category_intercepts: list[float] = list(data["category_intercepts"])
        self.category_weights: dict[str, list[float]] = {
            k: list(v) for k, v in data["category_weights"].items()
        }
        self.advice: dict[str, dict[str, str]] = dict(data["advice"])

    def score(self, features: Mapping[str, tuple[int, ...]]) -> Score:
        total = self.intercept
        contributions = []
        for name, tokens in features.items():
            weight = self.weights.get(name)
            if weight:
                total += weight
                contributions.append(Contribution(name, weight, tokens))
        scores = list(self.category_intercepts)
        for name in features:
            row = self.category_weights.get(name)
            if row:
                for k, value in enumerate(row):
                    scores[k] += value
        category = self.categories[max(range(len(scores)), key=scores.__getitem__)]
        positive = sorted(
            (c for c in contributions if c.weight > 0), key=lambda c: c.weight, reverse=True
        )
        probability = _sigmoid(total) if eligible(features) else 0.0
        return Score(probability, category, tuple(positive))
