"""The sandbox's budgets against the attacks of issue 13 (a 57-character template built a 900 MB
string in 3 s on the event loop): no render builds a big value, takes much memory or runs past its
time, and a long render leaves the event loop for a worker process that is killed at the hard limit."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc

import anyio.to_process
import pytest

from stalker_versions.domain.errors import ValidationFailed
from stalker_versions.templates import TemplateFailure, compile_template, offload, render
from stalker_versions.templates.checks import render_field
from stalker_versions.templates.limits import printed_size
from stalker_versions.templates.samples import sample_version_context
from stalker_versions.templates.sandbox import FIRST_STEPS, MAX_SECONDS, NeedsMoreTime, first_budget

LONG = "the template builds a value longer than"
STEPS = "too much work"
BUDGET = "<budget>"  # the steps or the time, whichever runs out first (tracemalloc slows a render)
# Each is refused quickly; before, most built hundreds of MB (the first: 300 MB and 11 s here).
ATTACKS = [
    ("{% set a=[0]*3000 %}{{[a]*3000}}", LONG),
    ("{% set a=[0]*3000 %}{{ dict(x=[a]*3000) }}", LONG),
    ("{% set a=[0]*3000 %}{{ [a, a, a, a] }}", LONG),
    ("{% set a=[0]*3000 %}{{ ([a]*3000)|join }}", LONG),
    ("{% set a=[0]*3000 %}{{ '%s' % ([a]*3000,) }}", LONG),
    ("{% set a=[0]*3000 %}{{ '%s'|format([a]*3000) }}", LONG),
    ("{% set a=[0]*3000 %}{{ [a]*3000 ~ '' }}", LONG),
    ("{% set a=[0]*3000 %}{{ ([a]*3000)|string|length }}", LONG),
    ("{% set a=[0]*3000 %}{{ ([a]*3000)|map('string')|join|length }}", LONG),
    ("{% set a=[0]*3000 %}{{ ([a]*3000)|sum(start=[])|length }}", LONG),
    ("{% set a=[0]*3000 %}{% set b=a|list %}{{ [a]*3000 == [b]*3000 }}", LONG),
    ("{{ 'x' * 9999 * 2 }}", LONG),
    ("{{ (range(999)|list) * 10 }}", LONG),
    ("{{ ('x' * 9999).split('') }}", "ValueError"),
    ("{{ ('a ' * 4999).split() }}", LONG),
    ("{{ ('a' * 9999)|list }}", LONG),
    ("{{ 'x'|replace('x', 'y' * 9000)|replace('y', 'yy') }}", LONG),
    ("{{ 2 ** 255 * 2 ** 255 }}", "larger than 2**256"),
    ("{{ ('9' * 4000)|int }}", "larger than 2**256"),
    ("{{ '%0100000d' % 1 }}", "format widths"),
    ("{{ x|center(10**7) }}", "No filter named 'center'"),
    ("{{ 'x'|indent(10**7) }}", "No filter named 'indent'"),
    ("{{ 'x'|wordwrap(1) }}", "No filter named 'wordwrap'"),
    ("{{ 'x'.ljust(10**8) }}", "unsafe"),
    ("{{ 'x'.zfill(10**8) }}", "unsafe"),
    ("{{ 'x\t'.expandtabs(10**8) }}", "unsafe"),
    ("{% for i in range(10**6) %}{% endfor %}", "range() is limited"),
    ("{{" + "(" * 2000 + "1" + ")" * 2000 + "}}", "nests expressions or blocks too deeply"),
    ("{{ 1" + "|abs" * 2000 + " }}", "nests expressions or blocks too deeply"),
    ("{% for i in [1] %}" * 25 + "{% endfor %}" * 25, "nests expressions or blocks too deeply"),
    ("{% for i in range(999) %}{% for j in range(999) %}{% endfor %}{% endfor %}", STEPS),
    ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(30) }}", BUDGET),
    ("{% macro f(s) %}{{ f(s ~ 'x' * 50) }}{% endmacro %}{{ f('') }}", "recurses"),
    (
        "{% macro m() %}{% for i in range(999) %}{{ 'x' * 9000 }}{% endfor %}{% endmacro %}"
        "{% for i in range(999) %}{% set x = m() %}{% endfor %}",
        "writes more than 100000 characters",
    ),
    (
        "{% macro m() %}{% for i in range(999) %}" + "x" * 3000 + "{% endfor %}{% endmacro %}{{ m() }}",
        "writes more than 100000 characters",
    ),
    (
        "{% set s = 'a' * 9999 %}{% set n = 'a' * 99 ~ 'b' %}{% for i in range(999) %}"
        "{% for j in range(999) %}{% if n in s %}{% endif %}{% endfor %}{% endfor %}",
        BUDGET,
    ),
]


@pytest.mark.parametrize(("source", "reason"), ATTACKS)
def test_no_render_builds_big_values_takes_memory_or_runs_long(source: str, reason: str) -> None:
    context = sample_version_context("Task")
    assert render(compile_template("{% set a=[0]*3000 %}{{ a|length }}"), context) == "3000"  # a is fine
    tracemalloc.start()
    # CPU time, not wall time: with every core busy (CI), a render the budget stopped on time can still
    # take longer on the wall clock; one the budget failed to stop runs long on both.
    started = time.process_time()
    try:
        with pytest.raises(TemplateFailure) as refused:
            render(compile_template(source), context)
        seconds = time.process_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    if reason == BUDGET:
        assert STEPS in refused.value.reason or "took longer than 1 s" in refused.value.reason
    else:
        assert reason in refused.value.reason
    assert seconds < MAX_SECONDS + 0.5, seconds
    assert peak < 16 * 2**20, peak


def test_the_printed_size_of_shared_lists_is_known_without_printing_them() -> None:
    a = [0] * 3000
    assert printed_size(a) == len(str(a))
    assert printed_size([a, a]) >= len(str([a, a]))
    # Stops counting past the limit: all of it would print 27 million characters.
    assert 10_000 < printed_size([a] * 3000, limit=10_000) < 10_000 + len(str(a)) + 10
    assert printed_size({"k": "v", "n": [1, 2]}) >= len(str({"k": "v", "n": [1, 2]}))


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("{{ parent_tasks|map(attribute='nice_name')|join('/') }}", "SH001/comp"),
        ("{{ range(1000)|list|length }}", "1000"),
        ("{{ ['a', 'b']|join('_') ~ '_' ~ '%03d'|format(7) }}", "a_b_007"),
        ("{% for p in parent_tasks %}{{ loop.index }}{{ p.nice_name|upper }}/{% endfor %}", "1SH001/2COMP/"),
        ("{{ (version.version_number * 10) ~ {'k': 'v'}['k'] }}", "10v"),
    ],
)
def test_real_templates_render_within_the_first_budget(source: str, output: str) -> None:
    context = sample_version_context("Task")
    assert first_budget(render, compile_template(source), context) == output


async def test_a_long_render_goes_to_a_worker_process_and_keeps_its_field_and_line() -> None:
    busy = "{% for i in range(999) %}{% for j in range(999) %}{% endfor %}{% endfor %}"
    source = "\n" + busy  # line 2
    with pytest.raises(ValidationFailed) as refused:
        await offload.off_loop(render_field, source, {}, "filename")
    assert refused.value.field == "filename" and refused.value.extensions["line"] == 2
    assert STEPS in refused.value.message
    assert FIRST_STEPS < 200_000  # the first budget in the thread ran out, the worker's did too


async def test_the_worker_is_killed_at_the_hard_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offload, "HARD_SECONDS", 0.3)
    slow = (
        "{% set s = 'a' * 9999 %}{% set n = 'a' * 99 ~ 'b' %}"
        "{% for i in range(999) %}{% for j in range(999) %}{% if n in s %}{% endif %}{% endfor %}{% endfor %}"
    )
    # A worker started first: starting one (imports) is not render time and takes seconds under load.
    await anyio.to_process.run_sync(offload._ready, cancellable=True)
    started = time.perf_counter()
    with pytest.raises(ValidationFailed, match=r"still rendering after 0\.3 s and was stopped"):
        await offload.off_loop(render_field, slow, {}, "filename")
    assert time.perf_counter() - started < 1.5
    # A fresh worker takes the next long render (it needs more than the first budget, less than the full).
    monkeypatch.setattr(offload, "HARD_SECONDS", 30.0)
    longer = "{% for i in range(200) %}{% for j in range(200) %}{% endfor %}{% endfor %}{{ 1 + 1 }}"
    with pytest.raises(NeedsMoreTime):
        first_budget(render, compile_template(longer), {})
    assert await offload.off_loop(render_field, longer, {}, "filename") == "2"


def test_a_worker_process_cannot_take_much_memory() -> None:
    code = (
        "from stalker_versions.templates.worker import _cap_memory\n"
        "_cap_memory()\n"
        "try:\n"
        "    bytearray(512 * 2**20)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
        "bytearray(64 * 2**20)\n"
        "print('small is fine')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["refused", "small", "is", "fine"], result.stderr
