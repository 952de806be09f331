"""Property-based test of the three OpenAPI documents (schemathesis): every operation of the catalog, the
versions service and the scheduler gets generated requests, valid and invalid, in both modes (embedded:
SQLite and the in-process broker; distributed: PostgreSQL and RabbitMQ). It fails on any 5xx and on any
response its operation does not document (status code, content type, body schema).

`make test` runs a few derandomized examples per operation and generation mode (the same cases on every
run); STALKER_FUZZ_EXAMPLES=200 (say) runs a bigger search, and prints the counts either way."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from sqlalchemy import update

from stalker_catalog.db.models import User

from support.served import ServedSystem, served_as_parametrized

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("STALKER_FUZZ_EXAMPLES", "2"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SERVICES = ("catalog", "versions", "scheduler")
# The fuzzing admin's id: far from the small ids generated requests name, so that no generated request
# deletes, demotes or re-passwords the caller in the middle of the run.
FUZZER_ID = 987_654_321
UNREADABLE = b"Invalid HTTP request received."
REQUEST_LINE_MAX = 16 * 1024  # h11's limit on a request's head


@dataclass
class Tally:
    cases: int = 0
    unreadable: int = 0
    server_errors: int = 0
    violations: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per operation


# Each mode is a minute or more of one worker's time: in a group of its own, the two run side by side.
@pytest.fixture(
    params=[
        pytest.param("embedded", marks=pytest.mark.xdist_group("api_fuzz_embedded")),
        pytest.param("distributed", marks=pytest.mark.xdist_group("api_fuzz_distributed")),
    ]
)
def system(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedSystem]:
    with served_as_parametrized(request, tmp_path) as served:
        yield served


def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    system: ServedSystem, request: pytest.FixtureRequest
) -> None:
    headers = _fuzzer(system)
    _seed(system.base, headers)
    tallies = {name: Tally() for name in SERVICES}
    started = time.monotonic()
    for name in SERVICES:
        document = requests.get(f"{system.base}/{name}/openapi.json", timeout=30).json()
        schema = schemathesis.openapi.from_dict(document)
        operations = [result.ok() for result in schema.get_all_operations()]
        # Deletions last: what they remove, the rest of the run can still use.
        operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
        for operation in operations:
            begun = time.monotonic()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, system.base, headers, tallies[name])
            tallies[name].seconds[operation.label] = time.monotonic() - begun
    elapsed = time.monotonic() - started
    mode = request.node.callspec.params["system"]
    report = [f"api fuzz, {mode}, {EXAMPLES} examples per operation and mode, {elapsed:.1f} s:"]
    for name, tally in tallies.items():
        report.append(
            f"  {name}: {tally.cases} cases, {tally.server_errors} server errors, "
            f"{tally.violations} schema violations ({tally.unreadable} refused by the HTTP server)"
        )
    slowest = sorted(((s, op) for t in tallies.values() for op, s in t.seconds.items()), reverse=True)[:5]
    report.append("  slowest: " + ", ".join(f"{op} {s:.1f} s" for s, op in slowest))
    print("\n".join(report))
    assert all(tally.cases for tally in tallies.values()), "a service got no request:\n" + "\n".join(report)
    failures = [f for tally in tallies.values() for f in tally.failures]
    assert not failures, "\n".join(report) + "\n\n" + "\n\n".join(failures[:15])


def _fuzz(operation: Any, mode: GenerationMode, base: str, headers: dict[str, str], tally: Tally) -> None:
    session = requests.Session()

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    def run(case: schemathesis.Case) -> None:
        case.headers = {**(case.headers or {}), **headers}
        try:
            response = case.call(base_url=base, session=session, timeout=60)
        except requests.RequestException as error:  # no answer at all
            tally.cases += 1
            url = error.request.url if error.request is not None else ""
            if len(url or "") > REQUEST_LINE_MAX:
                tally.unreadable += 1  # the HTTP server (h11) dropped a request line it cannot read
            else:
                tally.server_errors += 1
                tally.failures.append(f"{operation.label} ({mode.value}): connection lost: {error}"[:3000])
            return
        tally.cases += 1
        if response.status_code == 400 and response.content == UNREADABLE:
            tally.unreadable += 1  # refused by the HTTP server (h11) before any route: a head too long
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as failure:
            if response.status_code >= 500:
                tally.server_errors += 1
            else:
                tally.violations += 1
            tally.failures.append(f"{operation.label} ({mode.value}): {failure}"[:3000])

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        pass  # nothing to make invalid: an operation without parameters or body, in negative mode
    finally:
        session.close()


def _fuzzer(system: ServedSystem) -> dict[str, str]:
    """An admin of its own, with an id no generated request names; headers with its token."""
    admin = system.token_for("admin")
    with requests.Session() as client:
        client.headers.update(admin)
        body = {
            "name": "Fuzzer",
            "login": "fuzzer",
            "email": "fuzzer@example.com",
            "password": "fuzz-pw-1234",
        }
        created = client.post(f"{system.base}/catalog/v1/users", json=body, timeout=30)
        assert created.status_code == 201, created.text
        system.run(_renumber(system, created.json()["id"]))
        groups = client.get(f"{system.base}/catalog/v1/groups", params={"name": "admins"}, timeout=30).json()
        admins = groups["items"][0]["id"]
        joined = client.post(
            f"{system.base}/catalog/v1/groups/{admins}/members", json={"user_id": FUZZER_ID}, timeout=30
        )
        assert joined.status_code in (200, 201), joined.text
    return system.token_for("fuzzer")


async def _renumber(system: ServedSystem, user_id: int) -> None:
    async with system.runtimes["catalog"].sessionmaker() as session:
        await session.execute(update(User).where(User.id == user_id).values(id=FUZZER_ID))
        await session.commit()


def _seed(base: str, headers: dict[str, str]) -> None:
    """A few objects with small ids, so that generated ids find rows and reach the handlers' rules.
    Best effort: a seed refused only narrows what the run reaches."""
    catalog, versions = f"{base}/catalog/v1", f"{base}/versions/v1"
    with requests.Session() as client:
        client.headers.update(headers)

        def post(url: str, body: dict[str, Any]) -> dict[str, Any]:
            response = client.post(url, json=body, timeout=30)
            return dict(response.json()) if response.status_code in (200, 201) else {}

        post(f"{catalog}/studios", {"name": "Fuzz Studio"})
        project = post(f"{catalog}/projects", {"name": "Fuzz", "code": "FZ"}).get("id", 1)
        kind = post(f"{catalog}/types", {"name": "Prop", "target_entity_type": "Asset"}).get("id", 1)
        sequence = post(f"{catalog}/sequences", {"name": "S", "code": "SQ1", "project_id": project}).get("id")
        post(f"{catalog}/shots", {"code": "SH1", "project_id": project, "sequence_ids": [sequence]})
        post(f"{catalog}/assets", {"name": "A", "code": "A1", "project_id": project, "type_id": kind})
        first = post(f"{catalog}/tasks", {"name": "T1", "project_id": project}).get("id")
        task = post(f"{catalog}/tasks", {"name": "T2", "project_id": project, "depends": [first]}).get(
            "id", 1
        )
        repository = post(f"{versions}/repositories", {"name": "Repo", "linux_path": "/mnt/repo"}).get(
            "id", 1
        )
        template = post(
            f"{versions}/filename-templates",
            {
                "name": "Tasks",
                "target_entity_type": "Task",
                "path": "{{project.code}}/{{task.nice_name}}",
                "filename": "{{version.nice_name}}_v{{'%03d'|format(version.version_number)}}",
            },
        ).get("id", 1)
        structure = post(f"{versions}/structures", {"name": "Std", "template_ids": [template]}).get("id", 1)
        deadline = time.monotonic() + 30  # the versions service learns of the project and task by events
        while time.monotonic() < deadline:
            storage = {"repository_ids": [repository], "structure_id": structure}
            if client.put(f"{versions}/projects/{project}/storage", json=storage, timeout=30).ok:
                break
            time.sleep(0.2)
        while time.monotonic() < deadline and not post(f"{versions}/tasks/{task}/versions", {}):
            time.sleep(0.2)
