"""A project: the office configuration and the folders it names, each named here once.

    <root>/office.yaml
    <root>/records/                 the archive's records
    <build>/                        the archive (default <root>/build)
    <build>/manifest.json           what the archive holds, and the build's memory
    <build>/site/                   the public register (`decisions publish`)
    <build>/.cache/                 LibreOffice profiles, PDFs made for the public site
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .office import Office, load_office

# The engine's own templates, which draw any office's layout (office.yaml `templates:` may name others).
ENGINE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BUILD = "build"
MANIFEST = "manifest.json"
SITE = "site"  # a term may not be named so: its papers would land in the public register
MARK = ".decision-register"  # in every site publish writes: the folder is publish's to replace


def holds(folder: Path, other: Path) -> bool:
    """Whether folder is other or one of the folders around it (both resolved)."""
    return folder == other or folder in other.parents


class ProjectError(Exception):
    """The project's folders are set up in a way that would lose or mix files."""


@dataclass(frozen=True)
class Project:
    root: Path
    office: Office
    office_path: Path  # the configuration file: its bytes are an input of every paper
    build: Path

    @classmethod
    def load(cls, office_path: Path, build: Path | None = None) -> "Project":
        resolved = office_path.resolve()
        root = resolved.parent
        return cls(root, load_office(office_path), resolved, (build or root / BUILD).absolute())

    def check_build_dir(self) -> None:
        """The archive is written, swept and pruned: it must be a folder of its own, never the
        project, the records, the templates, a public site, or a folder holding any of them."""
        archive = self.build.resolve()
        mine = {"the project": self.root, "the records": self.records,
                **{f"the {name} templates": self.templates(name) for name in ("decision", "spec", "site")}}
        for name, folder in mine.items():
            folder = folder.resolve()
            if holds(archive, folder) or (name != "the project" and holds(folder, archive)):
                raise ProjectError(f"the archive folder {self.build} would mix its files with {name} ({folder}); "
                                   "give --build-dir a folder of its own, e.g. build/")
        if any((folder / MARK).is_file() for folder in (archive, *archive.parents)):
            raise ProjectError(f"the archive folder {self.build} is inside a public site that `decisions publish` wrote; "
                               "give --build-dir a folder of its own, e.g. build/")

    def templates(self, document: str = "decision") -> Path:
        own = getattr(self.office.templates, document)
        return self.root / own if own is not None else ENGINE_TEMPLATES / document

    @property
    def records(self) -> Path:
        return self.root / "records"

    @property
    def manifest(self) -> Path:
        return self.build / MANIFEST

    @property
    def site(self) -> Path:
        return self.build / SITE

    @property
    def cache(self) -> Path:
        return self.build / ".cache"
