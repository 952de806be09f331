"""nice_name as the reference computes it (§1.1), and a version's nice name (§5.3 with the take name)."""

from __future__ import annotations

import pytest

from stalker_versions.domain.names import naming_parents, nice_name, version_nice_name


@pytest.mark.parametrize(
    ("name", "nice"),
    [
        ("  Fancy   Commercial  ", "Fancy_Commercial"),
        ("Hi-Res (final)!", "Hi_Res_final"),
        ("__lead_underscores", "lead_underscores"),
        ("çağ 2.0 ünicode", "a_20_nicode"),
        ("A - B -- C", "A_B_C"),
        ("Test@Home #1", "Test@Home_1"),
        ("CamelCaseName", "CamelCaseName"),
        ("-_-x", "x"),
        ("SH001", "SH001"),
    ],
)
def test_nice_name_matches_the_reference(name: str, nice: str) -> None:
    assert nice_name(name) == nice


def test_the_walk_stops_at_the_nearest_shot_asset_or_sequence() -> None:
    chain = [("sequence", "SEQ1"), ("shot", "SH001"), ("task", "comp")]
    assert naming_parents(chain) == ["SH001", "comp"]
    assert version_nice_name(chain, "Main") == "SH001_comp_Main"


def test_an_asset_chain_gives_the_references_name_with_the_take() -> None:
    chain = [("asset", "Hero Guy"), ("task", "Model"), ("task", "Hi-Res (final)!")]
    assert version_nice_name(chain, "Main") == "Hero_Guy_Model_Hi_Res_final_Main"


def test_scenes_do_not_stop_the_walk_and_without_a_stop_every_ancestor_counts() -> None:
    assert naming_parents([("task", "Previs"), ("scene", "Scene 1"), ("task", "layout")]) == [
        "Previs",
        "Scene 1",
        "layout",
    ]
