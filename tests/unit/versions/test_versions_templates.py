"""The tutorial's template through the context and the sandbox, template choice, and the sandbox's
limits on hostile templates."""

from __future__ import annotations

import pytest

from stalker_versions.domain.context import (
    TaskNode,
    choose_template,
    project_view,
    repository_view,
    version_context,
)
from stalker_versions.domain.paths import RepositoryRoots
from stalker_versions.templates import TemplateFailure, compile_template, render
from stalker_versions.templates.sandbox import MAX_STEPS

TUTORIAL_PATH = (
    "$REPO{{project.repository.id}}/{{project.code}}/"
    "{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}"
)
TUTORIAL_FILENAME = '{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}'
CR = RepositoryRoots(33, "CR", "/mnt/M/commercials/", "/Volumes/M/commercials/", "M:/commercials/")
FC = project_view(34, "Fancy Commercial", "FC", [repository_view(CR, "Commercial Repository")])
SEQ = TaskNode(40, 34, None, "sequence", "Sequence 1", "SEQ1")
SH001 = TaskNode(41, 34, None, "shot", "SH001", "SH001", sequence_ids=(40,))
COMP = TaskNode(42, 34, 41, "task", "comp", type_id=9)


def rendered(source: str, context: dict[str, object]) -> str:
    return render(compile_template(source), context)


def test_the_tutorial_template_gives_the_tutorial_path_and_filename() -> None:
    context = version_context(FC, [SH001, COMP], {40: SEQ}, 1, "Main")
    assert rendered(TUTORIAL_PATH, context) == "$REPO33/FC/SH001/comp/"
    assert rendered(TUTORIAL_FILENAME, context) == "SH001_comp_Main_v001"
    third = version_context(FC, [SH001, COMP], {40: SEQ}, 3, "Main")
    assert rendered(TUTORIAL_FILENAME, third) == "SH001_comp_Main_v003"


def test_the_context_names_shot_sequence_type_and_repository() -> None:
    context = version_context(FC, [SH001, COMP], {40: SEQ}, 2, "Alt")
    source = "{{shot.code}} {{sequence.code}} {{type.id}} {{task.entity_type}} {{project.repository.path}}"
    assert rendered(source, context) == "SH001 SEQ1 9 Task $REPO33/"
    assert rendered("{{ asset is none and scene is none }}", context) == "True"
    assert rendered("{{ version.take_name }} {{ parent_tasks|length }}", context) == "Alt 2"


def test_the_template_follows_the_kind_and_falls_back_to_task() -> None:
    by_type = {"Task": "task template", "Shot": "shot template"}
    assert choose_template("shot", by_type) == "shot template"
    assert choose_template("asset", by_type) == "task template"
    assert choose_template("asset", {"Shot": "x"}) is None


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ ''.__class__.__mro__ }}", "private attribute '__mro__'"),
        ("{{ project|attr('__class__') }}", "No filter named 'attr'"),
        ("{{ project.code.ljust(10**8) }}", "unsafe"),
        ("{{ project.code.format(1) }}", "unsafe"),
        ("{{ lipsum() }}", "'lipsum' is undefined"),
        ("{% import 'os' as os %}", "may not extend, include or import"),
        ("{{ range(10**6)|list }}", "range() is limited"),
        ("{% set s = 'a' * 5000 %}{{ s ~ s ~ s }}", "longer than"),
        ("{{ 2 ** 100000 }}", "larger than"),
        ("{{ '%*d'|format(10**8, 1) }}", "format widths"),
        ("{{ project.code|replace('F', 'F' * 9000)|replace('F', 'F' * 9000) }}", "longer than"),
        ("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "recurses"),
        ("{% for a in range(999) %}{{ a }}" + "-" * 99 + "{% endfor %}", "more than"),
        ("{% for a in range(999) %}{% for b in range(999) %}{% endfor %}{% endfor %}", f"{MAX_STEPS}"),
    ],
)
def test_the_sandbox_refuses_what_reaches_out_or_runs_away(source: str, reason: str) -> None:
    with pytest.raises(TemplateFailure) as refused:
        rendered(source, {"project": FC})
    assert reason in refused.value.reason


def test_failures_give_the_template_line() -> None:
    with pytest.raises(TemplateFailure) as refused:
        rendered("$REPO1\n{{ project.code }}\n{{ project.nope }}", {"project": FC})
    assert refused.value.line == 3 and "has no attribute 'nope'" in refused.value.reason


def test_a_trace_function_in_place_before_a_render_is_back_afterwards() -> None:
    import sys

    def tracer(*_: object) -> None:
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with pytest.raises(TemplateFailure):
            rendered("{% for a in range(999) %}{% for b in range(999) %}{% endfor %}{% endfor %}", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)
