"""The GitHub workflow writes what a pull request does to the graph into the job summary.

The workflow's own step is run here, as GitHub would run it (bash, with the base revision and
$GITHUB_STEP_SUMMARY in the environment), in a temporary repository whose head adds a cluster.
The workflow keeps `permissions: {}` at the top and actions pinned to commits.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from support.diff_graphs import NEW, OLD, git
from support.paths import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def steps() -> list[dict]:
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]["test"]["steps"]


def test_the_workflow_stays_locked_down():
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert doc["permissions"] == {}
    for step in steps():
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    checkout = next(s for s in steps() if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # the base revision must be there


def test_the_pull_request_step_writes_the_diff_into_the_job_summary(tmp_path):
    step = next(s for s in steps() if "diff" in s.get("run", ""))
    assert "pull_request" in step["if"]
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "clusters.ttl").write_text(OLD)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "base")
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    (repo / "data" / "clusters.ttl").write_text(NEW)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "head")
    (repo / ".venv").symlink_to(Path(sys.executable).parent.parent)  # the project's venv
    summary = tmp_path / "summary.md"
    summary.write_text("### Validation\n\n")
    env = {**os.environ, "BASE_SHA": base, "GITHUB_STEP_SUMMARY": str(summary)}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith("### Validation\n\n### Graph diff: `" + base + "` → `HEAD`\n")
    assert "| `cgid:cluster/gamma` | Gamma Bay | new | 2 | 0 |" in text
    assert '+ cg:region "South"@en' in text
