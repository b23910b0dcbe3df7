"""The condition profiles: reviewed data files, each red flag with its clinical source, checked at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leads import create_app
from leads.config import ConfigError
from leads.questionnaire import conditions
from leads.questionnaire.conditions import ProfileError
from leads.questionnaire.questions import build_questionnaire

PROFILE_FILES = sorted(conditions.PROFILES_DIR.glob("*.yaml"))
# Words that belong to the spine's questions: none may appear in a profile for another body part.
SPINE_WORDS = ("back", "spine", "spinal", "bladder", "bowel", "saddle", "groin", "sit down", "bend forward")


def raw(name: str) -> dict:
    return yaml.safe_load((conditions.PROFILES_DIR / f"{name}.yaml").read_text())


def write_profiles(directory: Path, **changed: dict) -> Path:
    """A copy of the real profiles, with some replaced by `changed` data."""
    for path in PROFILE_FILES:
        data = changed.get(path.stem, yaml.safe_load(path.read_text()))
        (directory / path.name).write_text(yaml.safe_dump(data))
    return directory


@pytest.fixture(autouse=True)
def _real_profiles():
    """Tests here load broken copies: the real profiles are loaded again after each."""
    yield
    conditions.load()


def test_the_four_profiles_load():
    loaded = conditions.load()
    assert set(loaded) == {"spinal_stenosis", "sciatica", "knee_osteoarthritis", "generic"}


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda path: path.stem)
def test_every_red_flag_cites_its_clinical_source(path):
    """Read from the raw file, not through the loader: the file a reviewer reads is what is checked."""
    data = yaml.safe_load(path.read_text())
    assert data["red_flags"]
    for flag in data["red_flags"]:
        source = str(flag.get("source") or "")
        assert len(source.split()) >= 3, f"{path.name}: red flag {flag['key']!r} has no clinical source"
        assert any(body in source for body in ("NICE", "GIRFT", "BSR", "Ottawa")), source


def test_a_red_flag_without_a_source_stops_start_up(tmp_path):
    knee = raw("knee_osteoarthritis")
    del knee["red_flags"][0]["source"]
    directory = write_profiles(tmp_path, knee_osteoarthritis=knee)
    with pytest.raises(ProfileError, match=r"hot_swollen_fever.*'source' must be non-empty text"):
        conditions.load(directory)


def test_start_up_stops_with_one_line_on_a_broken_profile(base_env, tmp_path, monkeypatch):
    generic = raw("generic")
    generic["red_flags"][0]["source"] = "  "
    monkeypatch.setattr(conditions, "PROFILES_DIR", write_profiles(tmp_path, generic=generic))
    with pytest.raises(ConfigError) as error:
        create_app(env=base_env)
    assert "generic.yaml" in str(error.value) and "\n" not in str(error.value)


def test_weights_that_do_not_add_up_to_100_are_refused(tmp_path):
    stenosis = raw("spinal_stenosis")
    stenosis["weights"]["symptoms"] = 41
    with pytest.raises(ProfileError, match="largest possible score is 101"):
        conditions.parse("spinal_stenosis.yaml", stenosis)


@pytest.mark.parametrize("key", ["spinal_stenosis", "sciatica", "knee_osteoarthritis", "generic"])
def test_each_profile_scores_out_of_100(key):
    profile = conditions.get(key)
    weights = profile.weights
    top = (
        weights.symptoms
        + profile.pattern_max
        + max(weights.duration.values())
        + weights.treatment_max
        + max(weights.imaging.values())
    )
    assert top == 100


def test_every_offered_language_has_every_translation():
    """#13: every language with a catalogue (translations/) has each profile's red flags, pattern
    questions and urgent texts translated in the reviewed profile file; a gap fails here."""
    assert "ar" in conditions.offered_languages()  # else this test could pass on nothing
    for profile in conditions.profiles().values():
        assert conditions.missing_translations(profile) == [], profile.key
        for language in conditions.offered_languages():
            for flag in profile.red_flags:
                translated = profile.text(flag.key, "", language)
                assert translated and translated != flag.label, (profile.key, language, flag.key)


def test_a_translation_under_an_unknown_key_stops_start_up():
    """A misspelt red-flag key would leave that flag untranslated while the file looks complete."""
    data = raw("spinal_stenosis")
    data["translations"] = {"ar": {**data["translations"]["ar"], "bladder_bowl": "نص"}}
    with pytest.raises(conditions.ProfileError, match="unknown keys \\['bladder_bowl'\\]"):
        conditions.parse("x.yaml", data)


def test_a_missing_translation_is_named():
    data = raw("spinal_stenosis")
    arabic = dict(data["translations"]["ar"])
    del arabic["bladder_bowel"], arabic["urgent_action"]
    partial = conditions.parse("x.yaml", {**data, "translations": {"ar": arabic}})
    assert conditions.missing_translations(partial, ("ar",)) == ["ar: bladder_bowel", "ar: urgent_action"]
    # A language not yet offered lacks everything, each key named.
    assert "fr: saddle_numbness" in conditions.missing_translations(partial, ("fr",))
    assert conditions.missing_translations(conditions.get("spinal_stenosis"), ("ar",)) == []


def test_the_stenosis_questionnaire_is_word_for_word_what_it_was():
    """Answers stored before profiles name version 2026-11-v1: that version's questions must not move."""
    questionnaire = build_questionnaire(["Lower back pain"], "spinal_stenosis")
    assert questionnaire.version == "2026-11-v1"
    assert questionnaire.pattern == (
        ("worse_walking_standing", "Are your symptoms worse when you walk or stand?"),
        ("eased_sitting_bending", "Do they ease when you sit down or bend forward?"),
    )
    assert questionnaire.red_flags == (
        ("bladder_bowel", "New trouble controlling your bladder or bowel"),
        ("saddle_numbness", "Numbness in the groin or saddle area (where you would sit on a saddle)"),
        ("rapid_weakness", "Leg weakness that is getting worse quickly"),
        ("fever_weight_loss", "Fever or unexplained weight loss together with back pain"),
        ("fall_injury", "A recent fall or injury to your back"),
    )
    assert questionnaire.texts["imaging"] == "Which scans have you had of your back?"
    weights = questionnaire.profile.weights
    assert (weights.symptoms, dict(weights.duration), dict(weights.imaging)) == (
        40,
        {"lt_6w": 0, "6w_3m": 5, "3m_12m": 10, "gt_1y": 15},
        {"mri": 10, "ct": 10, "xray": 5},
    )
    assert (weights.treatment_each, weights.treatment_max, questionnaire.profile.pattern_max) == (3, 10, 25)


@pytest.mark.parametrize("key", ["knee_osteoarthritis", "generic"])
def test_profiles_away_from_the_spine_ask_nothing_about_it(key):
    questionnaire = build_questionnaire(["Knee pain"], key)
    words = [text for _key, text in questionnaire.pattern + questionnaire.red_flags]
    words += [*questionnaire.texts.values(), questionnaire.profile.urgent_reason]
    for text in words:
        assert not any(word in text.lower() for word in SPINE_WORDS), text
    stenosis = {key for key, _ in build_questionnaire([], "spinal_stenosis").red_flags}
    assert not stenosis & {flag for flag, _ in questionnaire.red_flags}


def test_the_generic_profile_asks_general_red_flags_and_no_pattern():
    generic = build_questionnaire(["Pain"], "generic")
    assert generic.pattern == ()
    assert [key for key, _ in generic.red_flags] == ["fever_severe_pain", "serious_injury", "sudden_weakness"]


def test_the_knee_profile_asks_about_a_hot_swollen_joint_with_fever():
    knee = build_questionnaire(["Knee pain"], "knee_osteoarthritis")
    assert "A hot, red, swollen knee together with a fever or feeling unwell" in dict(knee.red_flags).values()


def test_the_sciatica_profile_asks_radicular_questions():
    sciatica = build_questionnaire(["Leg pain"], "sciatica")
    assert {"leg_worse_than_back", "below_knee", "numbness_tingling"} <= dict(sciatica.pattern).keys()
    assert "both_legs" in dict(sciatica.red_flags)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("category:sciatica=no_such_profile", "names unknown profiles"),
        ("sciatica=sciatica", "must be comma-separated"),
        ("category:=sciatica", "must be comma-separated"),
    ],
)
def test_a_bad_term_mapping_stops_start_up(base_env, value, message):
    with pytest.raises(ConfigError, match=message):
        create_app(env={**base_env, "ARTICLE_PROFILE_TERMS": value})


def test_a_value_of_the_wrong_shape_is_one_line_naming_the_file(tmp_path):
    sciatica = raw("sciatica")
    sciatica["pattern"]["bonus"]["points"] = "five"
    with pytest.raises(ProfileError, match=r"^sciatica\.yaml: malformed"):
        conditions.load(write_profiles(tmp_path, sciatica=sciatica))
