"""mypy over projects/ and tracker/, held to a baseline that only shrinks.

pyproject.toml's [tool.mypy] checks everything strictly. The errors that existed when the checker
came are listed in .ci/mypy-baseline.txt, one line per error: path, error code and message, without
the line number, so that editing a file does not move its entries. This script runs mypy and fails
when an error is not in the baseline (as many times as it occurs there), which makes new code
strict; it says when errors of the baseline are gone, so that the baseline can shrink:

    .venv/bin/python .ci/typecheck.py            # check (make typecheck, CI)
    .venv/bin/python .ci/typecheck.py --update   # rewrite the baseline from this run

The strict modules below may have no baseline at all: an error there always fails.
"""

import argparse
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
STRICT = (
    "projects/periods.py",
    "projects/money.py",
    "projects/numerals.py",
    "projects/reports/measures.py",
    "projects/extraction/",
)
_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")
_LINE_REFERENCE = re.compile(r"\bline \d+")


def run_mypy() -> tuple[list[tuple[str, str]], int]:
    """(baseline key, 'path:line: message') of every error, and mypy's exit status."""
    command = [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"]
    command += ["--show-error-codes", "--no-pretty", "--no-color-output"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode not in (0, 1) or result.stderr.strip():
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(f"mypy failed to run (exit status {result.returncode})")
    errors = []
    for line in result.stdout.splitlines():
        match = _ERROR.match(line)
        if match is None:
            continue  # notes
        message = _LINE_REFERENCE.sub("line N", match["message"])
        key = f"{match['path']}: [{match['code'] or 'misc'}] {message}"
        errors.append((key, line))
    return errors, result.returncode


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    return Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the baseline from this run")
    args = parser.parse_args()

    started = time.monotonic()
    errors, _ = run_mypy()
    seconds = time.monotonic() - started
    found = Counter(key for key, _ in errors)

    in_strict = sorted(key for key in found if key.startswith(STRICT))
    if args.update:
        kept = sorted((found - Counter(in_strict)).elements())
        BASELINE.write_text("".join(f"{key}\n" for key in kept), encoding="utf-8")
        print(f"{BASELINE.relative_to(ROOT)}: {len(kept)} errors recorded ({seconds:.0f} s)")
        if in_strict:
            print("Not recorded, since these modules are strict: fix them.")
            print("\n".join(line for key, line in errors if key in in_strict))
            return 1
        return 0

    baseline = read_baseline()
    allowed = Counter({key: count for key, count in baseline.items() if not key.startswith(STRICT)})
    new = found - allowed
    gone = allowed - found
    if new:
        # Report each new error with its line; when a key occurs more often than recorded, the
        # extra occurrences cannot be told apart, so all of its lines are shown.
        print(f"mypy: {new.total()} error(s) not in the baseline ({BASELINE.relative_to(ROOT)}):")
        for key, line in errors:
            if key in new:
                print(f"  {line}")
        print("Fix them (annotations; a `# type: ignore[code]` only with a comment saying why).")
    if gone:
        print(
            f"mypy: {gone.total()} error(s) of the baseline are gone; shrink it with "
            "`make typecheck-baseline` and commit .ci/mypy-baseline.txt:"
        )
        for key in sorted(gone.elements()):
            print(f"  {key}")
    print(
        f"mypy: {found.total()} errors, {allowed.total()} in the baseline, {new.total()} new, "
        f"{gone.total()} fixed ({seconds:.0f} s)"
    )
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
