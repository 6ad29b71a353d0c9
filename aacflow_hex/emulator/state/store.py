"""The workspace: all records of one emulator instance, and the fixtures tests pick from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import (
    Category,
    Cell,
    Collection,
    DataConnection,
    Group,
    Project,
    Run,
    SemanticProject,
    Thread,
    Topic,
    User,
)


@dataclass
class Fixtures:
    """Ids of seeded records with a known behaviour, so tests need not search for them."""

    completing_project_id: str  # published PROJECT, runs end COMPLETED, no inputs
    erroring_project_id: str  # published, runs end ERRORED
    kernel_failure_project_id: str  # published, runs end UNABLE_TO_ALLOCATE_KERNEL
    params_project_id: str  # published, declares input parameters
    param_names: dict[str, str]  # input name -> data type ("string"/"number"/"boolean")
    params_view_id: str  # a saved view of the params project
    never_published_project_id: str  # lastPublishedAt null; RunProject -> 400
    component_project_id: str  # type COMPONENT (hidden unless includeComponents)
    archived_project_id: str  # hidden unless includeArchived
    trashed_project_id: str  # hidden unless includeTrashed
    big_runs_project_id: str  # has config.runs_for_big_project seeded runs
    tables_project_id: str  # has enough queried tables for 2+ pages
    running_run_project_id: str  # project of a seeded run that stays RUNNING for an hour
    running_run_id: str
    finished_run_id: str  # a COMPLETED seeded run of the completing project
    user_ids: dict[str, str]  # role -> id of a user with that role
    token_user_ids: dict[str, str]  # role -> id of the user behind emu.tokens[role]
    group_id: str
    collection_id: str  # contains the completing project
    data_connection_id: str
    cell_project_id: str  # a project with cells
    cell_id: str  # a SQL cell
    chart_cell_id: str  # a CHART cell (image endpoints)
    chart_cell_static_id: str
    thread_id: str
    semantic_project_id: str  # a semantic project with datasets and views
    semantic_dataset_name: str  # a dataset of it with a status label
    semantic_dataset_id: str
    semantic_view_name: str  # a view of it without a status
    semantic_view_id: str


@dataclass
class Workspace:
    name: str
    org_id: str
    status_labels: list[str]
    categories: list[Category]
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    runs_by_project: dict[str, list[str]] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)
    data_connections: dict[str, DataConnection] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    semantic_projects: dict[str, SemanticProject] = field(default_factory=dict)
    fixtures: Fixtures | None = None

    @property
    def fx(self) -> Fixtures:
        assert self.fixtures is not None, "workspace not seeded"
        return self.fixtures

    def add_run(self, run: Run) -> None:
        self.runs[run.id] = run
        self.runs_by_project.setdefault(run.project_id, []).append(run.id)

    def project_runs(self, project_id: str) -> list[Run]:
        """Runs of a project, newest first."""
        runs = [self.runs[rid] for rid in self.runs_by_project.get(project_id, [])]
        return sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True)

    def published_project_ids(self, outcome: str | None = None) -> list[str]:
        """Runnable projects (published, not archived or trashed), optionally by outcome."""
        return [
            p.id
            for p in self.projects.values()
            if p.published_version is not None
            and p.archived_at is None
            and p.trashed_at is None
            and (outcome is None or p.run_outcome == outcome)
        ]

    def user_by_email(self, email: str) -> User | None:
        lowered = email.lower()
        return next((u for u in self.users.values() if u.email.lower() == lowered), None)
