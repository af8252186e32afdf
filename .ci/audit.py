"""pip-audit over a hashed lock file, with the ignores of .pip-audit-ignore (each with its reason).

Exit 1 when a known vulnerability is found that is not ignored. When the vulnerability service
could not answer for some dependencies, they are named in red as NOT AUDITED; that fails the run
only with STOCKADE_AUDIT_STRICT=1 (a service that cannot be reached must not hide a real finding,
and must not block every build either: the output says which it was).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RED, BOLD, END = "\033[31m", "\033[1m", "\033[0m"


def ignores() -> list[str]:
    out = []
    for n, line in enumerate((ROOT / ".pip-audit-ignore").read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f".pip-audit-ignore:{n}: {vuln} has no reason")
        out += ["--ignore-vuln", vuln]
    return out


def main(lock: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        cmd = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes", "-r", lock,
               "--progress-spinner", "off", "-f", "json", "-o", str(report), *ignores()]
        env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
        done = subprocess.run(cmd, env=env, check=False, capture_output=True, text=True)
        if not report.exists():
            print(done.stdout, done.stderr, sep="\n")
            print(f"{RED}{BOLD}pip-audit did not run{END}")
            return 2
        data = json.loads(report.read_text(encoding="utf-8"))
    deps = data.get("dependencies", [])
    found = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
    skipped = [d for d in deps if d.get("skip_reason")]
    for name, version, v in found:
        fix = ", ".join(v.get("fix_versions") or []) or "no fix yet"
        print(f"{RED}{name} {version}: {v['id']} ({fix}){END} {v.get('description', '')[:200]}")
    print(f"pip-audit: {len(deps) - len(skipped)} of {len(deps)} locked dependencies audited, "
          f"{len(found)} known vulnerabilities")
    if skipped:
        print(f"{RED}{BOLD}NOT AUDITED: {len(skipped)} dependencies; the vulnerability service did not answer "
              f"for them (first: {skipped[0]['skip_reason']}){END}")
    if found:
        return 1
    if skipped and os.environ.get("STOCKADE_AUDIT_STRICT") == "1":
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements-test.lock"))
