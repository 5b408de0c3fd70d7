"""Serve just the browser files Fanloop uses out of frontend/node_modules.

Pointing STATICFILES_DIRS at whole package folders would collect ~90 MB (every build,
map and locale of ECharts); this finder exposes only the files listed in settings.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def _files(self) -> dict[str, Path]:
        root = Path(settings.FRONTEND_PACKAGES)
        return {url: root / source for url, source in settings.VENDOR_FILES.items()}

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [str(path) for path in self._files().values() if not path.is_file()]
        if not missing:
            return []
        return [
            Error(
                "Browser packages are missing: " + ", ".join(missing),
                hint="Run `make run` or `scripts/setup.sh` (it runs `npm ci` in frontend/).",
                id="fanloop.E001",
            )
        ]

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...

    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...

    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        source = self._files().get(path)
        found = str(source) if source is not None and source.is_file() else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for url, source in self._files().items():
            if source.is_file():
                storage = FileSystemStorage(location=str(source.parent))
                storage.prefix = str(Path(url).parent)  # type: ignore[attr-defined]
                yield source.name, storage
