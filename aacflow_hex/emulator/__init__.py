"""A local emulator of the Hex REST API (https://app.hex.tech/api/v1), for offline tests.

Usage::

    from aacflow_hex.emulator import EmulatorConfig, FaultRule, RateLimit, run_emulator

    async with run_emulator(EmulatorConfig(port=0, run_duration=0.1)) as emu:
        emu.base_url      # "http://127.0.0.1:<port>/api/v1"
        emu.token         # ADMIN user's token (== config.token)

The handle ``emu`` (:class:`Emulator`):

- ``base_url`` (``.../api/v1``), ``api_url`` (``.../api``, Hex's spec server: what other
  Hex clients take as HEX_API_BASE_URL), ``host``, ``port``, ``config``; ``url(path)`` ->
  absolute URL.
- ``token``: the ADMIN token. ``tokens``: role -> token for ADMIN, MANAGER, EDITOR,
  EXPLORER, MEMBER, GUEST (GUEST gets 403 on RunProject, users, groups, collections writes,
  data connections; EXPLORER may run but not set ``updatePublishedResults``...; the full
  table is in docs/emulator.md). ``workspace_token``: a workspace (not user) token with
  admin rights; ``/users/me`` answers it with ``{org, token}`` only.
- ``workspace``: the seeded records (``projects``, ``runs``, ``users``, ``groups``,
  ``collections``, ``data_connections``, ``cells``, ``threads``, ``topics``,
  ``semantic_projects``, ``status_labels``), plus ``published_project_ids(outcome=None)``
  and ``project_runs(id)``.
- ``fixtures`` (== ``workspace.fixtures``): ids with a known behaviour:
  ``completing_project_id``, ``erroring_project_id`` (runs end ERRORED),
  ``kernel_failure_project_id`` (UNABLE_TO_ALLOCATE_KERNEL), ``params_project_id`` with
  ``param_names`` (name -> "string"/"number"/"boolean") and ``params_view_id``,
  ``never_published_project_id`` (RunProject -> 422), ``component_project_id``,
  ``archived_project_id``, ``trashed_project_id``, ``big_runs_project_id`` (has
  ``config.runs_for_big_project`` runs), ``tables_project_id`` (40 queried tables),
  ``running_run_project_id``/``running_run_id`` (RUNNING for an hour),
  ``finished_run_id`` (COMPLETED), ``user_ids`` (role -> user id), ``token_user_ids``
  (role -> owner of ``tokens[role]``), ``group_id``, ``collection_id``,
  ``data_connection_id``, ``cell_id``, ``chart_cell_id``, ``chart_cell_static_id``,
  ``thread_id``, ``semantic_project_id`` with ``semantic_dataset_name``/``_id`` (has a
  status) and ``semantic_view_name``/``_id`` (has none).
- ``requests``: :class:`RequestLog` of every request received (method, path, query pairs,
  headers without Authorization, operation id, role, status or None if dropped, time);
  ``filter(method=, path=glob, operation=, status=)``, ``count(...)``, ``clear()``.
- ``runs_started(project_id)`` / ``total_runs_started()``: runs started via RunProject
  (current or legacy path; dry runs excluded). ``get_run(run_id)``.
- ``faults``: :class:`FaultSet` with ``add(FaultRule(...))``, ``remove(rule)``,
  ``clear()``, ``rules``, ``fired(rule)``. Kinds: status, latency, drop_before,
  drop_after, malformed (see :class:`FaultRule`).
- ``rate_limiter`` (``reset()``), ``set_rate_limits(limits, scale=None)``.
- ``set_run_duration(seconds)``, ``set_run_outcome(project_id, outcome)``, ``now()``.

Rate limits are per token and group, sliding window, on by default with Hex's published
limits (see ``ratelimit`` and docs/emulator.md); ``EmulatorConfig(rate_limits=None)`` turns
them off, ``rate_limit_scale=1/60`` turns minutes into seconds. ``serve(config)`` in
``serve.py`` runs an emulator until interrupted.
"""

from __future__ import annotations

from .config import DEFAULT_TOKEN, HEX_RATE_LIMITS, EmulatorConfig, FaultRule, RateLimit
from .faults import FaultSet
from .requestlog import RecordedRequest, RequestLog
from .server import Emulator, run_emulator
from .state.store import Fixtures, Workspace

__all__ = [
    "DEFAULT_TOKEN",
    "HEX_RATE_LIMITS",
    "Emulator",
    "EmulatorConfig",
    "FaultRule",
    "FaultSet",
    "Fixtures",
    "RateLimit",
    "RecordedRequest",
    "RequestLog",
    "Workspace",
    "run_emulator",
]
