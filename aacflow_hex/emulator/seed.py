"""Build a deterministic workspace from a config: same seed and counts, same records.

Timestamps are laid out before a fixed base date, so they do not depend on the clock; only
the one live run (``fixtures.running_run_id``) is placed relative to ``now``.
"""

from __future__ import annotations

import random
from typing import Any

from .config import EmulatorConfig
from .ids import uuid4_from
from .state.models import (
    ROLES,
    Category,
    Cell,
    Collection,
    DataConnection,
    Group,
    InputParam,
    Project,
    QueriedTable,
    Run,
    RunOutcome,
    Schedule,
    SemanticObject,
    SemanticProject,
    Thread,
    ThreadMessage,
    ThreadResource,
    Topic,
    User,
)
from .state.store import Fixtures, Workspace

BASE_TIME = 1748736000.0  # 2025-06-01T00:00:00Z
DAY = 86400.0
STATUS_LABELS = ["Production", "Exploratory", "Deprecated", "In review", "Approved"]
CATEGORIES = [
    Category("Finance", "Revenue, costs and forecasts"),
    Category("Marketing", "Campaigns and attribution"),
    Category("Product", None),
    Category("Operations", "Supply chain and logistics"),
    Category("Sales", "Pipeline and bookings"),
]
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson"]
TITLE_WORDS = ["Revenue", "Churn", "Funnel", "Cohort", "Inventory", "Forecast", "Retention"]
TITLE_KINDS = ["dashboard", "analysis", "report", "model", "explorer", "deep dive"]
TOKEN_ROLES = ("ADMIN", "MANAGER", "EDITOR", "EXPLORER", "MEMBER", "GUEST")
CONNECTION_TYPES = [
    "snowflake",
    "postgres",
    "bigquery",
    "databricks",
    "redshift",
    "athena",
    "trino",
    "clickhouse",
]
MIN_PROJECTS = 10
# Semantic projects: name -> (datasets, views); each object gets a status label or none.
SEMANTIC_PROJECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Core metrics": (
        ("orders", "customers", "invoices", "subscriptions"),
        ("revenue_overview", "churn_by_cohort"),
    ),
    "Marketing attribution": (("campaigns", "touchpoints"), ("channel_roi",)),
    "Finance close": (("ledger", "accounts"), ("monthly_close",)),
}


def role_token(config: EmulatorConfig, role: str) -> str:
    """The token of the seeded user with ``role``; ADMIN's is ``config.token``."""
    if role == "ADMIN":
        return config.token
    return f"hexemu-{role.lower()}-token-{config.seed}"


def _readable_details(kind: str, rng: random.Random, index: int) -> dict[str, Any]:
    host = f"db{index}.internal.example.com"
    details: dict[str, dict[str, Any]] = {
        "snowflake": {
            "accountName": f"acme-{index}",
            "warehouse": "COMPUTE_WH",
            "database": "ANALYTICS",
            "schema": None,
            "username": "HEX_SVC",
            "role": "REPORTER",
        },
        "postgres": {"hostname": host, "port": 5432, "database": "app", "username": "hex"},
        "bigquery": {
            "projectId": f"acme-analytics-{index}",
            "enableStorageApi": rng.random() < 0.5,
            "enableDriveAccess": False,
        },
        "databricks": {"jdbcUrl": f"jdbc:databricks://{host}:443/default"},
        "redshift": {"host": host, "port": 5439, "database": "dev", "username": "hex"},
        "athena": {
            "hostname": "athena.us-east-1.amazonaws.com",
            "port": 443,
            "s3OutputPath": f"s3://acme-athena-{index}/results/",
            "accessKeyId": "AKIAEMULATOR0000",
            "workgroup": "primary",
            "catalog": None,
        },
        "trino": {"hostname": host, "port": 8080, "username": "hex", "catalog": "hive"},
        "clickhouse": {"hostname": host, "port": 8443, "username": "hex"},
    }
    return {kind: details[kind]}


def _users(config: EmulatorConfig, rng: random.Random, ws: Workspace) -> dict[str, str]:
    by_role: dict[str, str] = {}
    count = max(config.users, len(ROLES))
    for index in range(count):
        role = ROLES[index] if index < len(ROLES) else rng.choice(TOKEN_ROLES)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name: str | None = f"{first} {last}" if index % 17 != 16 else None
        user = User(
            id=uuid4_from(rng),
            name=name,
            email=f"{first.lower()}.{last.lower()}{index}@example.com",
            role=role,
            last_login=None if index % 9 == 8 else BASE_TIME - rng.uniform(0, 60) * DAY,
        )
        ws.users[user.id] = user
        by_role.setdefault(role, user.id)
    return by_role


def _groups(config: EmulatorConfig, rng: random.Random, ws: Workspace) -> None:
    names = ["Data Team", "Finance", "Marketing", "Leadership", "Ops", "Growth", "Support"]
    user_ids = list(ws.users)
    for index in range(config.groups):
        base = names[index % len(names)]
        group = Group(
            id=uuid4_from(rng),
            name=base if index < len(names) else f"{base} {index // len(names) + 1}",
            created_at=BASE_TIME - rng.uniform(30, 700) * DAY,
            member_ids=rng.sample(user_ids, k=min(len(user_ids), rng.randint(2, 8))),
        )
        ws.groups[group.id] = group


def _connections(config: EmulatorConfig, rng: random.Random, ws: Workspace) -> None:
    for index in range(max(1, config.data_connections)):
        kind = CONNECTION_TYPES[index % len(CONNECTION_TYPES)]
        conn = DataConnection(
            id=uuid4_from(rng),
            name=f"{kind.capitalize()} {['prod', 'staging', 'sandbox'][index % 3]} {index}",
            type=kind,
            description=None if index % 4 == 3 else f"The {kind} warehouse #{index}",
            created_at=BASE_TIME - rng.uniform(30, 900) * DAY,
            details=_readable_details(kind, rng, index),
            connect_via_ssh=index % 5 == 1,
            include_magic=index % 3 != 2,
            allow_writeback_cells=index % 4 == 0,
            schema_refresh_access="ADMINS" if index % 2 == 0 else "USERS_WITH_QUERY_ACCESS",
            workspace_sharing={"members": "QUERY", "guests": "NONE", "public": "NONE"},
        )
        for db in ("analytics", "raw"):
            conn.databases[db] = "Production" if db == "analytics" else None
            for schema in ("public", "finance"):
                conn.schemas[f"{db}.{schema}"] = None
                for table in ("orders", "customers", "events", "invoices"):
                    conn.tables[f"{db}.{schema}.{table}"] = None
        ws.data_connections[conn.id] = conn


def _project(
    rng: random.Random,
    ws: Workspace,
    index: int,
    emails: list[str],
    *,
    published: bool,
    kind: str = "PROJECT",
    outcome: RunOutcome = "COMPLETED",
) -> Project:
    created = BASE_TIME - rng.uniform(1, 720) * DAY
    edited = created + rng.uniform(0, BASE_TIME - created)
    version = rng.randint(1, 12) if published else None
    creator = rng.choice(emails)
    title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_KINDS)} {index}"
    project = Project(
        id=uuid4_from(rng),
        title=title,
        description=None if index % 6 == 5 else f"Seeded project #{index}: {title.lower()}",
        type="COMPONENT" if kind == "COMPONENT" else "PROJECT",
        creator_email=creator,
        owner_email=creator if rng.random() < 0.7 else rng.choice(emails),
        status=rng.choice([*STATUS_LABELS, None, None]),
        categories=rng.sample(CATEGORIES, k=rng.randint(0, 2)),
        created_at=created,
        last_edited_at=edited,
        last_published_at=edited if published else None,
        published_version=version,
        reviews_required=index % 7 == 0,
        last_viewed_at=None if index % 5 == 4 else edited + DAY,
        app_views_all_time=rng.randint(0, 5000) if published else 0,
        run_outcome=outcome,
    )
    if published and index % 4 == 0:
        project.schedules.append(
            Schedule("DAILY", enabled=index % 8 == 0, minute=rng.randint(0, 59), hour=6)
        )
    return project


def _runs(
    config: EmulatorConfig, rng: random.Random, ws: Workspace, project: Project, count: int
) -> None:
    version = project.published_version or 1
    for _ in range(count):
        created = (project.last_published_at or project.created_at) + rng.uniform(0, 30) * DAY
        duration = rng.uniform(5, 600)
        roll = rng.random()
        outcome: RunOutcome = project.run_outcome
        killed_at = None
        if outcome == "COMPLETED" and roll < 0.08:
            outcome = "ERRORED"
        elif roll > 0.95:
            killed_at = created + duration / 2
        ws.add_run(
            Run(
                id=uuid4_from(rng),
                project_id=project.id,
                project_version=str(rng.randint(1, version)) if roll > 0.02 else "draft",
                trigger=rng.choice(["API", "API", "SCHEDULED", "APP_REFRESH"]),
                created_at=created,
                duration=duration,
                outcome=outcome,
                pending_seconds=min(duration * config.pending_fraction, 20.0),
                killed_at=killed_at,
                via_api=False,
            )
        )


def _cells(rng: random.Random, ws: Workspace, project: Project, conn_id: str) -> list[Cell]:
    plan = [
        ("MARKDOWN", "Intro", "# Overview"),
        ("SQL", "Orders", "select * from analytics.public.orders"),
        ("CODE", "Clean", "df = orders.dropna()"),
        ("CHART", "Revenue chart", None),
        ("SQL", "Customers", "select id, name from analytics.public.customers"),
    ]
    cells = []
    for order, (cell_type, label, source) in enumerate(plan):
        cell = Cell(
            id=uuid4_from(rng),
            static_id=uuid4_from(rng),
            project_id=project.id,
            cell_type=cell_type,
            label=label,
            source=source,
            data_connection_id=conn_id if cell_type == "SQL" else None,
            output_dataframe=f"dataframe_{order}" if cell_type == "SQL" else None,
            order=order,
        )
        ws.cells[cell.id] = cell
        cells.append(cell)
    return cells


def _semantic_projects(rng: random.Random, ws: Workspace) -> SemanticProject:
    """Seed the semantic projects; returns the first, whose ``orders`` dataset is
    ``Production`` and whose ``revenue_overview`` view has no status."""
    labels: list[str | None] = [*STATUS_LABELS, None]
    for index, (name, (datasets, views)) in enumerate(SEMANTIC_PROJECTS.items()):
        project = SemanticProject(id=uuid4_from(rng), name=name)
        for position, dataset in enumerate(datasets):
            status = labels[(index + position) % len(labels)]
            project.datasets[dataset] = SemanticObject(uuid4_from(rng), dataset, status)
        for position, view in enumerate(views):
            status = None if position == 0 else labels[(index + position) % len(labels)]
            project.views[view] = SemanticObject(uuid4_from(rng), view, status)
        ws.semantic_projects[project.id] = project
    return next(iter(ws.semantic_projects.values()))


def build_workspace(config: EmulatorConfig, now: float) -> Workspace:
    if config.projects < MIN_PROJECTS:
        raise ValueError(f"projects must be >= {MIN_PROJECTS} (fixtures need them)")
    rng = random.Random(config.seed)
    ws = Workspace(
        name=config.workspace_name,
        org_id=uuid4_from(rng),
        status_labels=list(STATUS_LABELS),
        categories=list(CATEGORIES),
    )
    role_users = _users(config, rng, ws)
    token_users = {role: role_users[role] for role in TOKEN_ROLES}
    _groups(config, rng, ws)
    _connections(config, rng, ws)
    emails = [u.email for u in ws.users.values() if u.role in ("ADMIN", "MANAGER", "EDITOR")]

    # Slots 0..9 are fixtures with fixed behaviour; the rest are drawn at random.
    special: list[dict[str, Any]] = [
        {"published": True},  # 0 completing
        {"published": True, "outcome": "ERRORED"},  # 1
        {"published": True, "outcome": "UNABLE_TO_ALLOCATE_KERNEL"},  # 2
        {"published": True},  # 3 params
        {"published": False},  # 4 never published
        {"published": True},  # 5 big runs
        {"published": True},  # 6 archived
        {"published": True},  # 7 trashed
        {"published": True, "kind": "COMPONENT"},  # 8
        {"published": True},  # 9 many queried tables
    ]
    projects: list[Project] = []
    for index in range(config.projects):
        if index < len(special):
            project = _project(rng, ws, index, emails, **special[index])
        else:
            roll = rng.random()
            outcome: RunOutcome = "COMPLETED"
            if roll < 0.06:
                outcome = "ERRORED"
            elif roll < 0.09:
                outcome = "UNABLE_TO_ALLOCATE_KERNEL"
            project = _project(
                rng,
                ws,
                index,
                emails,
                published=rng.random() > 0.15,
                kind="COMPONENT" if rng.random() < 0.08 else "PROJECT",
                outcome=outcome,
            )
            if rng.random() < 0.05:
                project.archived_at = project.last_edited_at + DAY
            elif rng.random() < 0.04:
                project.trashed_at = project.last_edited_at + 2 * DAY
        ws.projects[project.id] = project
        projects.append(project)

    completing, _erroring, _kernel, params_p, never, big, archived, trashed, comp, tables_p = (
        projects[:10]
    )
    for p in (completing, _erroring, _kernel, params_p, big, tables_p):
        p.archived_at = p.trashed_at = None
        p.status = p.status or "Production"
    archived.archived_at = archived.last_edited_at + DAY
    trashed.trashed_at = trashed.last_edited_at + DAY
    params_p.input_params = [
        InputParam("region", "string", "DROPDOWN"),
        InputParam("threshold", "number", "SLIDER"),
        InputParam("include_refunds", "boolean", "CHECKBOX"),
    ]
    params_p.view_ids = [uuid4_from(rng), uuid4_from(rng)]
    for p in projects[10:]:
        if p.published_version is not None and rng.random() < 0.1:
            p.input_params = [InputParam("start_date", "string", "DATE")]

    conn_ids = list(ws.data_connections)
    for p in projects:
        n_tables = 40 if p is tables_p else rng.randint(0, 4)
        for t in range(n_tables):
            conn_id = conn_ids[t % len(conn_ids)] if p is tables_p else rng.choice(conn_ids)
            p.queried_tables.append(QueriedTable(conn_id, f"analytics.public.table_{t:03d}"))

    # Collections, with the completing project in the first one.
    creators = [u.id for u in ws.users.values() if u.role in ("ADMIN", "MANAGER")]
    group_ids = list(ws.groups)
    collections: list[Collection] = []
    for index in range(max(1, config.collections)):
        coll = Collection(
            id=uuid4_from(rng),
            name=f"{rng.choice(['Core', 'Team', 'Exec', 'Shared'])} metrics {index}",
            description=None if index % 3 == 2 else f"Seeded collection #{index}",
            creator_id=rng.choice(creators),
            created_at=BASE_TIME - rng.uniform(1, 400) * DAY,
            group_access={rng.choice(group_ids): "CAN_VIEW"} if group_ids else {},
            workspace_members_access="CAN_VIEW" if index % 2 == 0 else None,
        )
        ws.collections[coll.id] = coll
        collections.append(coll)
    for p in projects:
        if p is completing or rng.random() < 0.3:
            coll = collections[0 if p is completing else rng.randrange(len(collections))]
            p.collection_access[coll.id] = "CAN_VIEW"

    for p in projects:
        if p.published_version is None:
            continue
        count = config.runs_for_big_project if p is big else config.runs_per_project
        if p is completing:
            count = max(count, 1)
        _runs(config, rng, ws, p, count)
    finished = Run(
        id=uuid4_from(rng),
        project_id=completing.id,
        project_version=str(completing.published_version),
        trigger="API",
        created_at=BASE_TIME - DAY,
        duration=42.0,
        outcome="COMPLETED",
        pending_seconds=2.0,
        via_api=False,
    )
    ws.add_run(finished)
    running = Run(
        id=uuid4_from(rng),
        project_id=completing.id,
        project_version=str(completing.published_version),
        trigger="SCHEDULED",
        created_at=now - 1.0,
        duration=3600.0,
        outcome="COMPLETED",
        pending_seconds=0.5,
    )
    ws.add_run(running)

    cells = _cells(rng, ws, completing, conn_ids[0])
    chart = next(c for c in cells if c.cell_type == "CHART")
    sql = next(c for c in cells if c.cell_type == "SQL")

    ws.topics = [Topic(uuid4_from(rng), name) for name in ("Revenue", "Churn", "Pipeline")]
    thread = Thread(
        id=uuid4_from(rng),
        user_id=token_users["ADMIN"],
        prompt="What drove revenue last quarter?",
        created_at=BASE_TIME - DAY,
        project_id=completing.id,
        kind="NOTEBOOK",
        updated_at=BASE_TIME - DAY,
        topic_ids=[ws.topics[0].id],
        resources=[ThreadResource(completing.id, "PROJECT", completing.title)],
        messages=[ThreadMessage("Revenue grew 12% driven by renewals.", BASE_TIME - DAY + 30)],
    )
    ws.threads[thread.id] = thread
    semantic = _semantic_projects(rng, ws)  # drawn last: earlier ids stay as they were
    orders, revenue = semantic.datasets["orders"], semantic.views["revenue_overview"]

    ws.fixtures = Fixtures(
        completing_project_id=completing.id,
        erroring_project_id=_erroring.id,
        kernel_failure_project_id=_kernel.id,
        params_project_id=params_p.id,
        param_names={ip.name: ip.data_type for ip in params_p.input_params},
        params_view_id=params_p.view_ids[0],
        never_published_project_id=never.id,
        component_project_id=comp.id,
        archived_project_id=archived.id,
        trashed_project_id=trashed.id,
        big_runs_project_id=big.id,
        tables_project_id=tables_p.id,
        running_run_project_id=completing.id,
        running_run_id=running.id,
        finished_run_id=finished.id,
        user_ids=role_users,
        token_user_ids=token_users,
        group_id=group_ids[0] if group_ids else "",
        collection_id=collections[0].id,
        data_connection_id=conn_ids[0],
        cell_project_id=completing.id,
        cell_id=sql.id,
        chart_cell_id=chart.id,
        chart_cell_static_id=chart.static_id,
        thread_id=thread.id,
        semantic_project_id=semantic.id,
        semantic_dataset_name=orders.name,
        semantic_dataset_id=orders.id,
        semantic_view_name=revenue.name,
        semantic_view_id=revenue.id,
    )
    return ws
