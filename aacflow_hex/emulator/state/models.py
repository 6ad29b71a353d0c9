"""Records of the emulated workspace. Plain mutable dataclasses; rendering is elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ROLES: tuple[str, ...] = (
    "ADMIN",
    "MANAGER",
    "EDITOR",
    "EXPLORER",
    "MEMBER",
    "GUEST",
    "EMBEDDED_USER",
    "ANONYMOUS",
)
RUN_STATUSES: tuple[str, ...] = (
    "PENDING",
    "RUNNING",
    "ERRORED",
    "COMPLETED",
    "KILLED",
    "UNABLE_TO_ALLOCATE_KERNEL",
)
TERMINAL_STATUSES: frozenset[str] = frozenset(
    {"ERRORED", "COMPLETED", "KILLED", "UNABLE_TO_ALLOCATE_KERNEL"}
)
ACCESS_LEVELS: tuple[str, ...] = ("NONE", "APP_ONLY", "CAN_VIEW", "CAN_EDIT", "FULL_ACCESS")
RunOutcome = Literal["COMPLETED", "ERRORED", "UNABLE_TO_ALLOCATE_KERNEL"]


@dataclass
class User:
    id: str
    name: str | None
    email: str
    role: str
    last_login: float | None
    active: bool = True
    workspace_token: bool = False  # the stand-in of a workspace token: no person behind it


@dataclass
class Group:
    id: str
    name: str
    created_at: float
    member_ids: list[str] = field(default_factory=list)


@dataclass
class Category:
    name: str
    description: str | None


@dataclass
class InputParam:
    name: str
    data_type: Literal["string", "number", "boolean"]
    input_cell_type: str


@dataclass
class Schedule:
    cadence: str
    enabled: bool
    minute: int
    hour: int


@dataclass
class QueriedTable:
    data_connection_id: str
    table_name: str


@dataclass
class Project:
    id: str
    title: str
    description: str | None
    type: Literal["PROJECT", "COMPONENT"]
    creator_email: str
    owner_email: str
    status: str | None
    categories: list[Category]
    created_at: float
    last_edited_at: float
    last_published_at: float | None
    published_version: int | None
    archived_at: float | None = None
    trashed_at: float | None = None
    reviews_required: bool = False
    last_viewed_at: float | None = None
    app_views_all_time: int = 0
    schedules: list[Schedule] = field(default_factory=list)
    input_params: list[InputParam] = field(default_factory=list)
    view_ids: list[str] = field(default_factory=list)
    run_outcome: RunOutcome = "COMPLETED"
    collection_access: dict[str, str] = field(default_factory=dict)  # collection id -> access
    queried_tables: list[QueriedTable] = field(default_factory=list)
    # Sharing: user id / group id -> access level.
    user_access: dict[str, str] = field(default_factory=dict)
    group_access: dict[str, str] = field(default_factory=dict)
    workspace_access: str = "CAN_VIEW"
    public_access: str = "NONE"


@dataclass
class Run:
    """A project run. Its status is computed from the clock (see ``lifecycle``)."""

    id: str
    project_id: str
    project_version: str  # "3" or "draft"
    trigger: str
    created_at: float
    duration: float
    outcome: RunOutcome
    pending_seconds: float
    killed_at: float | None = None
    dry_run: bool = False
    via_api: bool = False
    input_params: dict[str, Any] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Collection:
    id: str
    name: str
    description: str | None
    creator_id: str
    created_at: float
    user_access: dict[str, str] = field(default_factory=dict)
    group_access: dict[str, str] = field(default_factory=dict)
    workspace_members_access: str | None = None


@dataclass
class DataConnection:
    id: str
    name: str
    type: str
    description: str | None
    created_at: float
    details: dict[str, Any]  # readable (non-secret) connection details only
    connect_via_ssh: bool
    include_magic: bool
    allow_writeback_cells: bool
    schema_refresh_access: str = "ADMINS"
    schema_filters: dict[str, Any] | None = None
    schema_refresh_schedule: dict[str, Any] | None = None
    workspace_sharing: dict[str, str] = field(default_factory=dict)
    group_access: dict[str, str] = field(default_factory=dict)
    # Schema objects: full name -> status label (or None).
    databases: dict[str, str | None] = field(default_factory=dict)
    schemas: dict[str, str | None] = field(default_factory=dict)
    tables: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Cell:
    id: str
    static_id: str
    project_id: str
    cell_type: str
    label: str | None
    source: str | None
    data_connection_id: str | None = None
    output_dataframe: str | None = None
    order: int = 0


@dataclass
class ThreadMessage:
    text: str
    created_at: float


@dataclass(frozen=True)
class ThreadResource:
    """Something a thread works with, as GetThread lists it: ``{id, resourceType, name}``."""

    id: str
    resource_type: str  # PROJECT, DATA_CONNECTION, TABLE, SEMANTIC_DATASET, SEMANTIC_VIEW
    name: str


@dataclass
class Thread:
    id: str
    user_id: str
    prompt: str
    created_at: float
    project_id: str | None
    source: str = "PUBLIC_API"
    kind: str = "THREADS"  # Hex's `type`: THREADS, NOTEBOOK or MODELING
    sensitive: bool = False
    updated_at: float = 0.0  # last prompt or follow-up; answers that arrived later count too
    topic_ids: list[str] = field(default_factory=list)
    resources: list[ThreadResource] = field(default_factory=list)
    messages: list[ThreadMessage] = field(default_factory=list)


@dataclass
class Topic:
    id: str
    name: str


@dataclass
class SemanticObject:
    """A dataset or a view of a semantic project; Hex addresses both by name."""

    id: str
    name: str
    status: str | None


@dataclass
class SemanticProject:
    id: str
    name: str
    datasets: dict[str, SemanticObject] = field(default_factory=dict)  # by name
    views: dict[str, SemanticObject] = field(default_factory=dict)  # by name
