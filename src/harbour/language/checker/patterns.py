"""The pattern language that rules are written in, compiled to spaCy ``Matcher`` token patterns.

A pattern is a list of tokens; each token is one of:

``place``
    a word: matches every form of it (``place`` matches placing, placed, places), because it is
    compared by lemma. A word that spaCy splits (``risk-taking``) becomes several tokens.
``=taking``
    an exact word form, case-insensitive.
``place|put|expose``
    any of these words (all lemmas, or all ``=`` exact forms; a word class may be one of them).
``!healthy|active``
    any one word that is none of these.
``REFLEXIVE``, ``POSSESSIVE``, ``BE``, ``NEG``, ``DET``, ... (upper case)
    a word class from the rule file's ``lexicons`` (``REFLEXIVE`` is himself, herself,
    themselves, ...).
``ANY``
    any one word (not punctuation, and not the start of another sentence).
``NUM``
    a number, in figures or words.

Any token may end with ``?`` (optional), ``*`` (any number), ``+`` (one or more) or ``{n,m}``
(between n and m), as in ``ANY{0,2}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

TokenSpec = dict[str, Any]

MAX_PATTERN_TOKENS = 16
_QUANTIFIED = re.compile(r"^(?P<body>.+?)(?P<op>\?|\*|\+|\{\d*,?\d*\})?$")
_CLASS_NAME = re.compile(r"^[A-Z][A-Z_]+$")
_OPTIONAL_OPS = {"?", "*"}


class PatternError(ValueError):
    """A pattern that cannot be compiled, or that would match nothing in particular."""


def _is_optional(op: str | None) -> bool:
    if op is None:
        return False
    if op in _OPTIONAL_OPS:
        return True
    if op.startswith("{"):
        low = op[1:-1].split(",")[0]
        return low in {"", "0"}
    return False


def compile_pattern(
    tokens: Sequence[str],
    *,
    lexicons: Mapping[str, frozenset[str]],
    lemma: Callable[[str], str],
    split: Callable[[str], list[str]],
) -> list[TokenSpec]:
    """Turn a pattern written as words into a spaCy ``Matcher`` pattern.

    ``lexicons`` maps word-class names to lemmas; ``lemma`` lemmatises one lower-case word;
    ``split`` tokenises a word the way the checker tokenises text."""
    if not tokens:
        raise PatternError("Enter at least one word")
    if len(tokens) > MAX_PATTERN_TOKENS:
        raise PatternError(f"A pattern can have at most {MAX_PATTERN_TOKENS} words")
    specs: list[TokenSpec] = []
    anchored = False
    for raw in tokens:
        token = str(raw).strip()
        if not token or any(ch.isspace() for ch in token):
            raise PatternError("Each pattern token must be one word with no spaces")
        found = _QUANTIFIED.match(token)
        if found is None:  # pragma: no cover - the expression matches any non-empty string
            raise PatternError(f"Cannot read '{token}'")
        body, op = found.group("body"), found.group("op")
        compiled, is_anchor = _compile_body(body, lexicons=lexicons, lemma=lemma, split=split)
        if op is not None:
            if len(compiled) != 1:
                raise PatternError(f"'{body}' is more than one word, so it cannot be optional")
            compiled[0]["OP"] = op
        if is_anchor and not _is_optional(op):
            anchored = True
        specs.extend(compiled)
    if not anchored:
        raise PatternError(
            "The pattern must include at least one word that has to be there "
            "(not only ANY, NUM, a '!' word or optional words)"
        )
    return _allow_extra_space(specs)


def _allow_extra_space(specs: list[TokenSpec]) -> list[TokenSpec]:
    """spaCy keeps runs of whitespace (a double space, a non-breaking space, a line break in
    pasted text) as tokens of their own; let them sit between the words of a phrase."""
    spaced: list[TokenSpec] = []
    for index, spec in enumerate(specs):
        if index:
            spaced.append({"IS_SPACE": True, "OP": "*"})
        spaced.append(spec)
    return spaced


def _compile_body(
    body: str,
    *,
    lexicons: Mapping[str, frozenset[str]],
    lemma: Callable[[str], str],
    split: Callable[[str], list[str]],
) -> tuple[list[TokenSpec], bool]:
    """One pattern token without its quantifier. Returns the specs and whether the token pins
    the match to particular words (``ANY``, ``NUM`` and ``!`` tokens do not)."""
    if body == "ANY":
        return [{"IS_PUNCT": False, "IS_SPACE": False, "IS_SENT_START": False}], False
    if body == "NUM":
        return [{"LIKE_NUM": True}], False
    if body.startswith("!"):
        excluded = _alternatives(body[1:], lexicons=lexicons, lemma=lemma, split=split)
        if excluded[0] == "LOWER":
            raise PatternError("Use plain words after '!', not '=' forms")
        spec = {
            "LEMMA": {"NOT_IN": sorted(excluded[1])},
            "IS_PUNCT": False,
            "IS_SPACE": False,
            "IS_SENT_START": False,
        }
        return [spec], False
    if "|" in body or _CLASS_NAME.match(body):
        attribute, values = _alternatives(body, lexicons=lexicons, lemma=lemma, split=split)
        if len(values) == 1:
            return [{attribute: next(iter(values))}], True
        return [{attribute: {"IN": sorted(values)}}], True
    if body.startswith("="):
        parts = split(body[1:].lower())
        if len(parts) != 1:
            raise PatternError(f"'{body}' must be a single word")
        return [{"LOWER": parts[0]}], True
    parts = split(body.lower())
    if not parts:
        raise PatternError(f"'{body}' has no words in it")
    return [{"LEMMA": lemma(part)} for part in parts], True


def _alternatives(
    body: str,
    *,
    lexicons: Mapping[str, frozenset[str]],
    lemma: Callable[[str], str],
    split: Callable[[str], list[str]],
) -> tuple[str, frozenset[str]]:
    exact: set[str] = set()
    lemmas: set[str] = set()
    for alternative in body.split("|"):
        if not alternative:
            raise PatternError(f"'{body}' has an empty alternative")
        if _CLASS_NAME.match(alternative):
            if alternative not in lexicons:
                known = ", ".join(sorted(lexicons))
                raise PatternError(f"Unknown word class '{alternative}'. Known classes: {known}")
            lemmas.update(lexicons[alternative])
            continue
        form = alternative[1:] if alternative.startswith("=") else alternative
        parts = split(form.lower())
        if len(parts) != 1:
            raise PatternError(f"'{alternative}' must be a single word")
        if alternative.startswith("="):
            exact.add(parts[0])
        else:
            lemmas.add(lemma(parts[0]))
    if exact and lemmas:
        raise PatternError(f"'{body}' mixes exact '=' forms with words: use one kind")
    if exact:
        return "LOWER", frozenset(exact)
    return "LEMMA", frozenset(lemmas)
