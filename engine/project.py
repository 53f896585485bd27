"""A project: the office configuration and the folders it names (records, templates, build)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .office import Office, load_office


@dataclass(frozen=True)
class Project:
    root: Path
    office: Office

    @classmethod
    def load(cls, office_path: Path) -> "Project":
        return cls(office_path.resolve().parent, load_office(office_path))

    def templates(self, document: str = "decision") -> Path:
        return self.root / getattr(self.office.templates, document)

    @property
    def records(self) -> Path:
        return self.root / "records"
