"""The probe service's worker as a separate process, for tests that kill or stop it:
python -m support.probe_worker <database_url> <amqp_url> <namespace> <effect_delay_seconds> [<grace>]"""

from __future__ import annotations

import asyncio
import sys

from stalker_shared.logging import configure_logging
from stalker_shared.messaging import RabbitTransport
from stalker_shared.process import run_worker
from stalker_shared.runtime import Runtime
from stalker_shared.settings import ServiceSettings

from support.probe import EFFECT_DELAY, probe_definition, probe_topology


def main() -> int:
    database_url, amqp_url, namespace, delay = sys.argv[1:5]
    grace = float(sys.argv[5]) if len(sys.argv) > 5 else 15.0
    EFFECT_DELAY["seconds"] = float(delay)
    configure_logging("INFO")
    settings = ServiceSettings(
        service_name="probe",
        database_url=database_url,
        broker_url=amqp_url,
        messaging_namespace=namespace,
        consumer_prefetch=8,
        shutdown_grace_seconds=grace,
    )
    runtime = Runtime(
        probe_definition(),
        settings,
        RabbitTransport(amqp_url, connection_name="probe-worker"),
        topology=probe_topology(namespace),
    )
    return asyncio.run(run_worker(runtime, relay=False))


if __name__ == "__main__":
    sys.exit(main())
