"""Condition profiles: the reviewed YAML files in `profiles/`, loaded and checked once.

A profile holds what differs between conditions: the pattern questions, the red flags
(each with its clinical source), the urgent-care wording, the scoring weights and a
version. Everything else in the questionnaire (symptoms, treatments, scans, hopes) is
shared and lives in `questions.py`. A file that breaks a rule stops start-up with one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
STENOSIS = "spinal_stenosis"
GENERIC = "generic"
ANSWERS = ("yes", "not_sure")
DURATIONS = ("lt_6w", "6w_3m", "3m_12m", "gt_1y")
SCANS = ("mri", "ct", "xray")
SCORE_MAX = 100
VERSION_MAX = 32  # questionnaire_responses.questionnaire_version


class ProfileError(ValueError):
    """A profile file breaks a rule; the message is one line naming the file."""


@dataclass(frozen=True)
class RedFlag:
    key: str
    label: str
    source: str


@dataclass(frozen=True)
class PatternQuestion:
    key: str
    text: str
    points: Mapping[str, int]


@dataclass(frozen=True)
class Weights:
    symptoms: int
    duration: Mapping[str, int]
    treatment_each: int
    treatment_max: int
    imaging: Mapping[str, int]


@dataclass(frozen=True)
class Profile:
    key: str
    name: str
    version: str
    pattern_title: str
    pattern: tuple[PatternQuestion, ...]
    bonus_keys: tuple[str, ...]
    bonus_points: int
    red_flags: tuple[RedFlag, ...]
    urgent_title: str
    urgent_reason: str
    urgent_action: str
    emergency_examples: str
    weights: Weights
    texts: Mapping[str, str] = field(default_factory=dict)
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def pattern_max(self) -> int:
        return sum(max(q.points.values(), default=0) for q in self.pattern) + self.bonus_points

    def red_flag(self, key: str) -> RedFlag | None:
        return next((flag for flag in self.red_flags if flag.key == key), None)

    def text(self, key: str, english: str, language: str | None = None) -> str:
        """The reviewed translation of one text (a red flag, a question...), else its English."""
        translated = (self.translations.get(language or "") or {}).get(key)
        return " ".join(str(translated).split()) if translated else english

    def wording(self, language: str | None = None) -> Mapping[str, str]:
        """The urgent-care and emergency texts in `language`, for the pages that show them."""
        english = {
            "urgent_title": self.urgent_title,
            "urgent_reason": self.urgent_reason,
            "urgent_action": self.urgent_action,
            "emergency_examples": self.emergency_examples,
        }
        return {key: self.text(key, value, language) for key, value in english.items()}


_registry: Mapping[str, Profile] = MappingProxyType({})


def init_app(app) -> None:
    """Load the profiles at start-up, so a broken file stops the app instead of a patient's page."""
    from leads.config import ConfigError

    try:
        load()
    except ProfileError as error:
        raise ConfigError(str(error)) from None
    unknown = sorted(set(app.config.get("ARTICLE_PROFILE_TERMS", {}).values()) - set(_registry))
    if unknown:
        raise ConfigError(
            f"ARTICLE_PROFILE_TERMS names unknown profiles {unknown}; known: {sorted(_registry)}"
        )
    app.extensions["condition_profiles"] = _registry


def load(directory: Path | None = None) -> Mapping[str, Profile]:
    """Read and check every `*.yaml` in `directory` (default: PROFILES_DIR); replaces the registry."""
    global _registry
    directory = directory or PROFILES_DIR
    profiles = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            profile = parse(path.name, _read(path))
        except ProfileError:
            raise
        except (AttributeError, TypeError, ValueError) as error:
            # A value of the wrong shape somewhere the rules above do not name: still one line.
            raise ProfileError(f"{path.name}: malformed ({type(error).__name__}: {error})") from None
        if profile.key in profiles:
            raise ProfileError(f"{path.name}: key {profile.key!r} is used by another profile")
        profiles[profile.key] = profile
    for required in (STENOSIS, GENERIC):
        if required not in profiles:
            raise ProfileError(f"{directory}: the {required!r} profile is missing")
    _registry = MappingProxyType(profiles)
    return _registry


def profiles() -> Mapping[str, Profile]:
    return _registry if _registry else load()


def get(key: str | None) -> Profile | None:
    return profiles().get(key or "")


def choices() -> list[tuple[str, str]]:
    """(key, name) of every profile, generic last: for an admin's select box."""
    items = sorted(profiles().values(), key=lambda p: (p.key == GENERIC, p.name))
    return [(p.key, p.name) for p in items]


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ProfileError(f"{path.name}: cannot be read ({' '.join(str(error).split())})") from None


def _text(where: str, data: Mapping, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where}: {name!r} must be non-empty text")
    return " ".join(value.split())


def _points(where: str, value: object, allowed: tuple[str, ...]) -> dict[str, int]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in value.items()
    ):
        raise ProfileError(f"{where}: must map answers to whole numbers of points")
    unknown = set(value) - set(allowed)
    if unknown:
        raise ProfileError(f"{where}: unknown answers {sorted(unknown)} (allowed: {list(allowed)})")
    return dict(value)


def parse(name: str, data: object) -> Profile:
    """A Profile from one file's data; every rule broken is a ProfileError."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"{name}: must be a mapping")
    key, version = _text(name, data, "key"), _text(name, data, "version")
    if len(version) > VERSION_MAX:
        raise ProfileError(f"{name}: version is longer than {VERSION_MAX} characters")
    pattern_data = data.get("pattern") or {}
    questions = tuple(
        PatternQuestion(
            _text(f"{name} pattern", q, "key"),
            _text(f"{name} pattern", q, "text"),
            _points(f"{name} pattern {q.get('key')}", q.get("points"), ANSWERS),
        )
        for q in _list(name, pattern_data.get("questions"))
    )
    bonus = pattern_data.get("bonus") or {}
    bonus_keys = tuple(bonus.get("all_yes") or ())
    if set(bonus_keys) - {q.key for q in questions}:
        raise ProfileError(f"{name}: the pattern bonus names a question the profile does not ask")
    flags = []
    for item in _list(name, data.get("red_flags")):
        where = f"{name} red flag {item.get('key')!r}" if isinstance(item, Mapping) else name
        if not isinstance(item, Mapping):
            raise ProfileError(f"{name}: each red flag must be a mapping")
        # A red flag without its clinical source is not reviewable: refused.
        flags.append(
            RedFlag(_text(where, item, "key"), _text(where, item, "label"), _text(where, item, "source"))
        )
    if not flags:
        raise ProfileError(f"{name}: a profile needs at least one red flag")
    keys = [q.key for q in questions] + [f.key for f in flags]
    if len(set(keys)) != len(keys):
        raise ProfileError(f"{name}: a question or red-flag key is used twice")
    urgent = data.get("urgent_care") or {}
    weights = _weights(name, data.get("weights") or {})
    profile = Profile(
        key=key,
        name=_text(name, data, "name"),
        version=version,
        pattern_title=_text(name, pattern_data, "title"),
        pattern=questions,
        bonus_keys=bonus_keys,
        bonus_points=int(bonus.get("points") or 0),
        red_flags=tuple(flags),
        urgent_title=_text(f"{name} urgent_care", urgent, "title"),
        urgent_reason=_text(f"{name} urgent_care", urgent, "reason"),
        urgent_action=_text(f"{name} urgent_care", urgent, "action"),
        emergency_examples=_text(name, data, "emergency_examples"),
        weights=weights,
        texts=MappingProxyType({k: " ".join(str(v).split()) for k, v in (data.get("texts") or {}).items()}),
        translations=MappingProxyType(dict(data.get("translations") or {})),
    )
    _check_translation_keys(name, profile)
    total = (
        weights.symptoms
        + profile.pattern_max
        + max(weights.duration.values())
        + weights.treatment_max
        + max(weights.imaging.values(), default=0)
    )
    if total != SCORE_MAX:
        raise ProfileError(f"{name}: the largest possible score is {total}, not {SCORE_MAX}")
    return profile


def _list(name: str, value: object) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProfileError(f"{name}: expected a list, got {type(value).__name__}")
    return value


def _weights(name: str, data: Mapping) -> Weights:
    where = f"{name} weights"
    symptoms = data.get("symptoms")
    treatments = data.get("treatments") or {}
    if not isinstance(symptoms, int) or symptoms < 0:
        raise ProfileError(f"{where}: 'symptoms' must be a whole number of points")
    duration = _points(f"{where} duration", data.get("duration"), DURATIONS)
    if set(duration) != set(DURATIONS):
        raise ProfileError(f"{where}: 'duration' must give points for each of {list(DURATIONS)}")
    each, most = treatments.get("each"), treatments.get("max")
    if not isinstance(each, int) or not isinstance(most, int):
        raise ProfileError(f"{where}: 'treatments' needs whole numbers 'each' and 'max'")
    return Weights(
        symptoms=symptoms,
        duration=MappingProxyType(duration),
        treatment_each=each,
        treatment_max=most,
        imaging=MappingProxyType(_points(f"{where} imaging", data.get("imaging"), SCANS)),
    )


def translatable_keys(profile: Profile) -> list[str]:
    """The keys a language's translations give: red flags, pattern questions, urgent texts, overrides."""
    keys = [flag.key for flag in profile.red_flags] + [q.key for q in profile.pattern]
    return [*keys, "urgent_title", "urgent_reason", "urgent_action", "emergency_examples", *profile.texts]


def _check_translation_keys(name: str, profile: Profile) -> None:
    """A misspelt key would leave a red flag in English while looking translated: refused."""
    known = set(translatable_keys(profile))
    for language, texts in profile.translations.items():
        if not isinstance(texts, Mapping):
            raise ProfileError(f"{name}: translations of {language!r} must be a mapping")
        unknown = sorted(set(texts) - known)
        if unknown:
            raise ProfileError(f"{name}: translations of {language!r} name unknown keys {unknown}")


def offered_languages() -> tuple[str, ...]:
    """Every language besides English with a catalogue (translations/): each needs every text here."""
    from leads.i18n import SOURCE_LANGUAGE, languages

    return tuple(code for code in languages() if code != SOURCE_LANGUAGE)


def missing_translations(profile: Profile, languages: tuple[str, ...] | None = None) -> list[str]:
    """'<lang>: <key>' for every red flag, pattern question, urgent text and override a language lacks."""
    languages = offered_languages() if languages is None else languages
    wanted = translatable_keys(profile)
    missing = []
    for language in languages:
        texts = profile.translations.get(language) or {}
        missing += [f"{language}: {key}" for key in wanted if not str(texts.get(key) or "").strip()]
    return missing
