"""The checker: spaCy's rule-based ``Matcher`` on a blank English pipeline, with lemmas from the
official lookup tables (``spacy-lookups-data``), and a few guards that decide whether the words
are about the child.

The principle (see the app's README): language is flagged when it attributes responsibility for
harm to the child. Without a parser the guards use token evidence in the same clause:

* **Who is it about?** Scanning back from the match to the start of the clause, the nearest
  referent decides: a subject pronoun (he, she, they), a child noun (child, girl, peer) or a
  first name means the child; an adult or agency noun (the man, Mr, the exploiter, the gang, her
  mother, police, the school) or a professional's pronoun (I, we) means not the child. A verb
  of saying or thinking followed by its own clause ("professionals felt this was ...") ends the
  scan. With no referent at all the record is about the child. Rules marked
  ``"about": "anyone"`` (labels such as "promiscuous" or "streetwise") skip this.
* **Coercion named**: "was told by the older males to recruit", "forced to", "groomed into" —
  the sentence already puts the responsibility on the adults, so it is not flagged.
* **Negation**: "is not putting himself at risk" rejects the label (rules can opt out).
* **Attributed quotation**: the child's own words, or anyone's words quoted with a speech verb
  (said, told, described as), are recorded as spoken, not as the writer's description.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from typing import Any

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import Table, load_lookups
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from harbour.language.checker.model import Score, SentenceFeatures, SentenceModel
from harbour.language.checker.patterns import PatternError, TokenSpec, compile_pattern

ABOUT_CHILD = "child"
ABOUT_ANYONE = "anyone"
# Findings of the statistical model carry the rule id ``model-<category>``.
MODEL_PREFIX = "model-"
# A blank line (whitespace allowed on it) separates paragraphs, checked and cached one by one.
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
PARAGRAPH_CACHE = 4096
# How many of the features that weighed most a model finding names.
MODEL_WORDS = 3

# How far back (in tokens) the guards look for a referent, a coercion verb or a negation.
REFERENT_WINDOW = 15
COERCION_WINDOW = 6
NEGATION_WINDOW = 3
QUOTE_SPEECH_BEFORE = 8
QUOTE_SPEECH_AFTER = 4

_QUOTED = re.compile(
    r'"[^"\n]*"'  # "straight double"
    r"|“[^”\n]*”"  # “curly double”
    r"|(?<!\w)['‘](?=\S)[^\n]*?(?<=\S)['’](?!\w)"  # 'single', not an apostrophe in a word
)
_PRONOUN_FORMS = {
    "he": ("him", "his"),
    "him": ("him", "his"),
    "his": ("him", "his"),
    "himself": ("him", "his"),
    "she": ("her", "her"),
    "her": ("her", "her"),
    "hers": ("her", "her"),
    "herself": ("her", "her"),
    "they": ("them", "their"),
    "them": ("them", "their"),
    "their": ("them", "their"),
    "themselves": ("them", "their"),
    "themself": ("them", "their"),
}


@dataclass(frozen=True)
class Finding:
    """One phrase to reconsider: where it is, which rule found it, and what to say instead."""

    start: int
    end: int
    text: str
    rule_id: str
    title: str
    suggestion: str
    reason: str
    # Which version of the rule found it (``Checker.rule_version``): kept with a stored finding.
    rule_version: str = ""


@dataclass(frozen=True)
class Pattern:
    tokens: tuple[str, ...]
    about: str | None = None  # None: the rule's own setting


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    patterns: tuple[Pattern, ...]
    suggestion: str
    reason: str
    about: str = ABOUT_CHILD
    negation_cancels: bool = True
    not_after: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    lexicons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lemma_overrides: Mapping[str, str] = field(default_factory=dict)

    def with_rules(self, extra: Iterable[Rule]) -> RuleSet:
        """These rules followed by ``extra``; an extra rule with a default rule's id is refused."""
        extra = tuple(extra)
        taken = {rule.id for rule in self.rules}
        clash = [rule.id for rule in extra if rule.id in taken]
        if clash:
            raise PatternError(f"Rule ids already in use: {', '.join(clash)}")
        return replace(self, rules=self.rules + extra)


# Loading ---------------------------------------------------------------------------------------


def _rule_from_data(data: Mapping[str, Any]) -> Rule:
    patterns = []
    for entry in data["patterns"]:
        if isinstance(entry, Mapping):
            patterns.append(Pattern(tuple(entry["tokens"]), entry.get("about")))
        else:
            patterns.append(Pattern(tuple(entry)))
    return Rule(
        id=data["id"],
        title=data.get("title", data["id"]),
        patterns=tuple(patterns),
        suggestion=data["suggestion"],
        reason=data["reason"],
        about=data.get("about", ABOUT_CHILD),
        negation_cancels=data.get("negation_cancels", True),
        not_after=tuple(data.get("not_after", ())),
        phrases=tuple(data.get("phrases", ())),
    )


def ruleset_from_data(data: Mapping[str, Any]) -> RuleSet:
    return RuleSet(
        rules=tuple(_rule_from_data(rule) for rule in data["rules"]),
        lexicons={name: tuple(words) for name, words in data.get("lexicons", {}).items()},
        lemma_overrides=dict(data.get("lemma_overrides", {})),
    )


@functools.cache
def load_default_rules() -> RuleSet:
    """The rules shipped with Harbour (``rules.json`` beside this module)."""
    text = resources.files(__package__).joinpath("rules.json").read_text(encoding="utf-8")
    return ruleset_from_data(json.loads(text))


@functools.cache
def _pipeline() -> Language:
    """A blank English tokenizer and the rule-based sentencizer: no trained model."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@functools.cache
def load_default_model() -> SentenceModel | None:
    """The fitted sentence model shipped with Harbour (``model.json``), if it has been built."""
    path = resources.files(__package__).joinpath("model.json")
    if not path.is_file():
        return None
    return SentenceModel(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def _lemma_values() -> frozenset[str]:
    return frozenset(str(value) for value in _lemma_table().values())


@functools.cache
def _lemma_table() -> Table:
    """spaCy's English lemma lookup table (official ``spacy-lookups-data``). It is keyed by the
    exact form and is case-sensitive, so callers look up the lower-cased token."""
    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


def _plain(value: Any) -> Any:
    if isinstance(value, Rule | Pattern):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _digest(value: Any) -> str:
    """Twelve hex digits of SHA-256 over the value as canonical JSON."""
    canonical = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


# The checker ----------------------------------------------------------------------------------


class Checker:
    """Compiled once per rule set and reused for every check, from any thread: each check builds
    its own ``Doc``, and spaCy's shared vocabulary (which learns each new word it sees) is
    updated under the GIL."""

    def __init__(self, ruleset: RuleSet, *, statistical: bool = True) -> None:
        self.ruleset = ruleset
        self.model = load_default_model() if statistical else None
        self._nlp = _pipeline()
        self._sentencizer = self._nlp.get_pipe("sentencizer")
        self._table = _lemma_table()
        self._overrides = {k.lower(): v for k, v in ruleset.lemma_overrides.items()}
        self._lexicons = {
            name: frozenset(self.lemma(word.lower()) for word in words)
            for name, words in ruleset.lexicons.items()
        }
        self._forms = {
            name: frozenset(word.lower() for word in words)
            for name, words in ruleset.lexicons.items()
        }
        self._matcher = Matcher(self._nlp.vocab, validate=True)
        self._keys: dict[int, tuple[Rule, str]] = {}
        shared = _digest({"lexicons": ruleset.lexicons, "lemma_overrides": ruleset.lemma_overrides})
        self._versions = {
            rule.id: _digest({"rule": rule, "shared": shared}) for rule in ruleset.rules
        }
        self._paragraph_findings = functools.lru_cache(maxsize=PARAGRAPH_CACHE)(
            self._check_paragraph
        )
        self._features = SentenceFeatures(in_class=self._in, is_common_word=self._common)
        if self.model is not None:
            for category in self.model.categories:
                self._versions[MODEL_PREFIX + category] = _digest(
                    {"model": self.model.version, "shared": shared}
                )
        for rule in ruleset.rules:
            for index, pattern in enumerate(rule.patterns):
                key = f"{rule.id}#{index}"
                specs = self.compile(pattern.tokens)
                try:
                    self._matcher.add(key, [specs])
                except ValueError as error:  # pragma: no cover - compile() already refuses these
                    raise PatternError(f"{rule.id}: {error}") from error
                self._keys[self._nlp.vocab.strings[key]] = (rule, pattern.about or rule.about)

    def rule_version(self, rule_id: str) -> str:
        """The version of a rule in this checker: a digest of everything that decides what it
        finds and what it says (its patterns, guards, suggestion and reason, and the shared word
        classes and lemma corrections). Any change to those is a new version; nothing else is."""
        return self._versions[rule_id]

    # Words -------------------------------------------------------------------------------------

    def lemma(self, lower: str) -> str:
        override = self._overrides.get(lower)
        if override is not None:
            return override
        return self._table.get(lower, lower)

    def split(self, word: str) -> list[str]:
        return [t.text for t in self._nlp.make_doc(word) if not t.is_space]

    def compile(self, tokens: Sequence[str]) -> list[TokenSpec]:
        return compile_pattern(tokens, lexicons=self._lexicons, lemma=self.lemma, split=self.split)

    def _common(self, lower: str) -> bool:
        """An English word (in the lemma table, as a form or a lemma), not a person's name."""
        return lower in STOP_WORDS or lower in self._table or lower in _lemma_values()

    def _in(self, name: str, token: Token) -> bool:
        return token.lower_ in self._forms.get(name, ()) or token.lemma_ in self._lexicons.get(
            name, ()
        )

    def _doc(self, text: str) -> Doc:
        doc = self._nlp.make_doc(text)
        for token in doc:
            token.lemma_ = self.lemma(token.lower_)
        return self._sentencizer(doc)

    # Checking ----------------------------------------------------------------------------------

    def check(self, text: str) -> list[Finding]:
        """Findings in ``text``, paragraph by paragraph (a blank line ends a paragraph; no
        phrase, clause or quotation runs across one). Each paragraph's findings are cached, so
        checking a long note again as someone types re-reads only the paragraph that changed."""
        if not text or not text.strip():
            return []
        findings: list[Finding] = []
        begin = 0
        for gap in _PARAGRAPH_BREAK.finditer(text):
            findings += self._shifted(text[begin : gap.start()], begin)
            begin = gap.end()
        findings += self._shifted(text[begin:], begin)
        return findings

    def forget(self) -> None:
        """Empty the cache of paragraphs already checked (for timing a cold check)."""
        self._paragraph_findings.cache_clear()

    def _shifted(self, paragraph: str, offset: int) -> list[Finding]:
        if not paragraph.strip():
            return []
        found = self._paragraph_findings(paragraph)
        if not offset:
            return list(found)
        return [replace(f, start=f.start + offset, end=f.end + offset) for f in found]

    def _check_paragraph(self, text: str) -> tuple[Finding, ...]:
        doc = self._doc(text)
        hits = self._rule_hits(doc, text)
        findings = [self._finding(doc, text, start, end, rule) for start, end, rule in hits]
        if self.model is not None:
            findings += self._model_findings(doc, text, hits)
        findings.sort(key=lambda f: (f.start, f.end, f.rule_id))
        return tuple(findings)

    def _rule_hits(self, doc: Doc, text: str) -> list[tuple[int, int, Rule]]:
        """The rules' matches that pass the guards, longest first within a rule."""
        quotes: list[tuple[int, int]] | None = None
        by_rule: dict[str, list[tuple[int, int, Rule]]] = defaultdict(list)
        for key, start, end in self._matcher(doc):
            rule, about = self._keys[key]
            if not self._keep(doc, start, end, rule, about):
                continue
            if quotes is None:
                quotes = self._attributed_quotes(doc, text)
            span = doc[start:end]
            if any(a <= span.start_char and span.end_char <= b for a, b in quotes):
                continue
            by_rule[rule.id].append((start, end, rule))
        hits = []
        for matches in by_rule.values():
            hits.extend(_longest_without_overlap(matches))
        return hits

    def sentence_features(self, text: str) -> list[dict[str, tuple[int, ...]]]:
        """The model's features for each sentence of ``text`` (used to train it)."""
        doc = self._doc(text)
        hits = self._rule_hits(doc, text)
        return [
            self._sentence_features(
                doc, text, sent, [(r.id, a, b) for a, b, r in hits if sent.start <= a < sent.end]
            )
            for sent in doc.sents
        ]

    def _sentence_features(
        self, doc: Doc, text: str, sent: Span, inside: list[tuple[str, int, int]]
    ) -> dict[str, tuple[int, ...]]:
        features = self._features(sent, inside)
        if "quoted" not in features:
            return features
        quoted = {
            token.i
            for a, b in self._attributed_quotes(doc, text)
            for token in doc.char_span(a, b, alignment_mode="expand") or ()
        }
        # Words quoted with a speaker are recorded as spoken, not the writer's framing.
        return {
            name: tokens
            for name, tokens in features.items()
            if not tokens or not quoted.issuperset(tokens)
        }

    def _model_findings(
        self, doc: Doc, text: str, hits: list[tuple[int, int, Rule]]
    ) -> list[Finding]:
        """One finding for each sentence the rules did not flag that the model scores at or
        above its threshold: the words that contributed most, and the category's advice."""
        assert self.model is not None
        findings = []
        for sent in doc.sents:
            inside = [(r.id, a, b) for a, b, r in hits if sent.start <= a < sent.end]
            if inside:
                continue
            features = self._sentence_features(doc, text, sent, inside)
            score = self.model.score(features)
            if score.probability < self.model.threshold:
                continue
            findings.append(self._model_finding(doc, text, sent, score))
        return findings

    def _model_finding(self, doc: Doc, text: str, sent: Span, score: Score) -> Finding:
        assert self.model is not None
        top = [
            c
            for c in score.contributions
            if c.tokens
            and not c.feature.startswith("subj=")
            and not all(doc[i].is_stop for i in c.tokens)
        ][:MODEL_WORDS]
        indexes = sorted({i for c in top for i in c.tokens})
        if indexes:
            start, end = indexes[0], indexes[-1] + 1
        else:
            start, end = sent.start, sent.end
        span = doc[start:end]
        words = []
        for c in top:
            shown = " ".join(doc[i].text for i in sorted(set(c.tokens)))
            if c.feature == "age_contrast":
                shown = "a child's age beside an adult's: " + shown
            if shown and shown not in words:
                words.append(shown)
        them, their = self._pronouns(doc, start, end)
        advice = self.model.advice[score.category]

        def fill(template: str) -> str:
            return template.replace("{them}", them).replace("{their}", their)

        because = ", ".join(f"“{w}”" for w in words)
        reason = fill(advice["reason"])
        if because:
            reason += f" (Words that weighed most: {because}.)"
        rule_id = MODEL_PREFIX + score.category
        return Finding(
            start=span.start_char,
            end=span.end_char,
            text=text[span.start_char : span.end_char],
            rule_id=rule_id,
            title=advice["title"],
            suggestion=fill(advice["suggestion"]),
            reason=reason,
            rule_version=self._versions[rule_id],
        )

    def matches(self, tokens: Sequence[str], text: str) -> bool:
        """Does this pattern (not yet part of the rule set) match anywhere in ``text``?"""
        matcher = Matcher(self._nlp.vocab)
        matcher.add("candidate", [self.compile(tokens)])
        return bool(matcher(self._doc(text)))

    def _finding(self, doc: Doc, text: str, start: int, end: int, rule: Rule) -> Finding:
        span = doc[start:end]
        them, their = self._pronouns(doc, start, end)

        def fill(template: str) -> str:
            return template.replace("{them}", them).replace("{their}", their)

        return Finding(
            start=span.start_char,
            end=span.end_char,
            text=text[span.start_char : span.end_char],
            rule_id=rule.id,
            title=rule.title,
            suggestion=fill(rule.suggestion),
            reason=fill(rule.reason),
            rule_version=self._versions[rule.id],
        )

    # Guards ------------------------------------------------------------------------------------

    def _keep(self, doc: Doc, start: int, end: int, rule: Rule, about: str) -> bool:
        if rule.not_after and self._preceded_by(doc, start, rule.not_after):
            return False
        if rule.negation_cancels and self._negated(doc, start):
            return False
        if about == ABOUT_CHILD:
            if self._coerced(doc, start):
                return False
            if not self._about_child(doc, start):
                return False
        return True

    @staticmethod
    def _boundary(token: Token) -> bool:
        return token.text in {";", ":"} or (token.is_space and "\n" in token.text)

    def _clause_before(self, doc: Doc, start: int, window: int) -> Iterable[int]:
        """Token indexes before ``start``, nearest first, stopping at the clause's start."""
        floor = max(doc[start].sent.start, start - window)
        for i in range(start - 1, floor - 1, -1):
            if self._boundary(doc[i]):
                return
            yield i

    def _preceded_by(self, doc: Doc, start: int, lemmas: Sequence[str]) -> bool:
        i = start - 1
        while i >= 0 and doc[i].text == "-":
            i -= 1
        return i >= 0 and doc[i].lemma_ in lemmas

    def _negated(self, doc: Doc, start: int) -> bool:
        return any(
            self._in("NEG", doc[i]) for i in self._clause_before(doc, start, NEGATION_WINDOW)
        )

    def _coerced(self, doc: Doc, start: int) -> bool:
        """'forced to recruit', 'told by the older males to recruit', 'groomed into selling'."""
        if start == 0 or doc[start - 1].lower_ not in {"to", "into"}:
            return False
        return any(
            self._in("COERCION", doc[i])
            for i in self._clause_before(doc, start - 1, COERCION_WINDOW)
        )

    def _about_child(self, doc: Doc, start: int) -> bool:
        sent_start = doc[start].sent.start
        for i in self._clause_before(doc, start, REFERENT_WINDOW):
            token = doc[i]
            lower = token.lower_
            if lower in self._forms.get("CHILD_PRONOUN", ()):
                return True
            if lower in self._forms.get("OBJECT_PRONOUN", ()):
                # "worried about him putting himself at risk": the subject of what follows.
                # Further back it is more likely an object ("the adult who exploited her is").
                if i == start - 1:
                    return True
                continue
            if lower in self._forms.get("PROFESSIONAL_PRONOUN", ()):
                return False
            if self._in("REPORTING", token) and i + 1 < start:
                # "Professionals felt [this was a lifestyle choice]": whoever reports or thinks
                # is not the subject of the clause they report. ("Mr X admitted recruiting"
                # has the match straight after the verb, and the same subject.)
                return True
            if self._in("ADULT", token):
                return False
            if self._in("CHILD", token):
                return True
            if self._looks_like_name(token, i == sent_start):
                before = doc[i - 1] if i > sent_start else None
                if before is not None and self._in("TITLE", before):
                    return False
                if before is not None and self._in("PLACE_PREPOSITION", before):
                    continue  # "from Coventry": a place, not a person
                return True
        return True

    @staticmethod
    def _looks_like_name(token: Token, sentence_initial: bool) -> bool:
        text = token.text
        if not token.is_alpha or not text[0].isupper():
            return False
        if len(text) > 1 and text.isupper():
            return False  # CAMHS, YJS: acronyms of services, not people
        return not (sentence_initial and token.lower_ in STOP_WORDS)

    def _attributed_quotes(self, doc: Doc, text: str) -> list[tuple[int, int]]:
        """Character ranges of quotations attributed to a speaker ("she said", "described as",
        a colon before the quote), whose words are recorded, not the writer's own."""
        ranges = []
        for quoted in _QUOTED.finditer(text):
            span = doc.char_span(quoted.start(), quoted.end(), alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            if self._speech_near(doc, span.start, span.end):
                ranges.append((quoted.start(), quoted.end()))
        return ranges

    def _speech_near(self, doc: Doc, start: int, end: int) -> bool:
        before = range(start - 1, max(0, start - QUOTE_SPEECH_BEFORE) - 1, -1)
        for i in before:
            if doc[i].text == ":" and i == start - 1:
                return True
            if self._in("SPEECH", doc[i]):
                return True
        after = range(end, min(len(doc), end + QUOTE_SPEECH_AFTER))
        return any(self._in("SPEECH", doc[i]) for i in after)

    def _pronouns(self, doc: Doc, start: int, end: int) -> tuple[str, str]:
        """Object and possessive pronouns for the suggestion: from the match, else the nearest
        pronoun before it in the sentence, else singular 'them'."""
        for token in doc[start:end]:
            if token.lower_ in _PRONOUN_FORMS:
                return _PRONOUN_FORMS[token.lower_]
        for i in self._clause_before(doc, start, REFERENT_WINDOW):
            if doc[i].lower_ in _PRONOUN_FORMS:
                return _PRONOUN_FORMS[doc[i].lower_]
        return "them", "their"


def _longest_without_overlap(
    matches: list[tuple[int, int, Rule]],
) -> list[tuple[int, int, Rule]]:
    """Within one rule, keep the longest of overlapping matches."""
    kept: list[tuple[int, int, Rule]] = []
    taken: set[int] = set()
    for start, end, rule in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if taken.isdisjoint(range(start, end)):
            kept.append((start, end, rule))
            taken.update(range(start, end))
    return sorted(kept, key=lambda m: m[0])


@functools.cache
def default_checker() -> Checker:
    return Checker(load_default_rules())


def check(text: str) -> list[Finding]:
    """Child-centred language findings in ``text`` under the default rules."""
    return default_checker().check(text)
