"""Jobs used by the job tests; module-level so a worker process can import them."""

from pathlib import Path

from fanloop.core.jobs import job


@job(max_attempts=1)
def add(a: int, b: int) -> int:
    return a + b


@job(max_attempts=3, retry_base_seconds=0)
def always_fails(label: str) -> None:
    raise RuntimeError(f"boom {label}")


@job(max_attempts=3, retry_base_seconds=0)
def fails_once(marker: str) -> str:
    """Fails on the first attempt, succeeds on the second; the marker file counts tries."""
    path = Path(marker)
    tries = int(path.read_text()) if path.exists() else 0
    path.write_text(str(tries + 1))
    if tries == 0:
        raise ConnectionError("platform timed out")
    return f"ok after {tries + 1}"


@job(max_attempts=1)
def append_line(path: str, text: str) -> None:
    with Path(path).open("a") as handle:
        handle.write(text + "\n")
