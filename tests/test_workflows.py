"""The GitHub Actions workflows: valid, clean under zizmor, pinned, least privilege.

Both tools run offline: check-jsonschema's workflow schema is vendored in the package,
and zizmor's ``--offline`` skips the audits that ask GitHub. Every subprocess gets a
proxy that refuses connections, so a tool that tried the network would fail here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
              "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": "", "no_proxy": ""}
# `uses: owner/repo[/path]@<40 hex> # v1.2.3`: a full commit SHA and the release it is.
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+(?:\.\d+)*\s*$")
PAGES_ACTIONS = {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}

BAD_WORKFLOW = """\
name: bad
on:
  pull_request_target:
permissions: write-all
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""


def offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN"}}
    return env | NO_NETWORK


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, env=offline_env(),
                          cwd=ROOT, timeout=120)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict) -> dict:
    """The ``on:`` mapping (YAML 1.1 reads the bare key ``on`` as ``True``)."""
    on = workflow.get("on", workflow.get(True))
    return {on: None} if isinstance(on, str) else dict.fromkeys(on) if isinstance(on, list) else on


def all_jobs() -> list[tuple[str, str, dict]]:
    return [(path.name, name, job) for path in WORKFLOWS for name, job in load(path)["jobs"].items()]


def all_steps() -> list[dict]:
    return [step for _, _, job in all_jobs() for step in job.get("steps", [])]


def test_there_are_workflows():
    assert WORKFLOWS, "no workflow in .github/workflows"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_against_the_workflow_schema(path):
    done = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  a:\n    steps: []\n    runs_on: ubuntu-latest\n")
    done = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", str(broken))
    assert done.returncode != 0
    assert "runs_on" in done.stdout + done.stderr


def zizmor_findings(*paths: Path) -> list[dict]:
    done = run_tool("zizmor", "--offline", "--no-progress", "--format=json", "--min-severity=medium",
                    *map(str, paths))
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout)


def test_zizmor_finds_nothing_of_medium_severity_or_worse():
    findings = zizmor_findings(*WORKFLOWS)
    assert findings == [], [(f["ident"], f["determinations"]["severity"]) for f in findings]


def test_zizmor_offline_does_catch_a_dangerous_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW)
    idents = {f["ident"] for f in zizmor_findings(bad)}
    assert {"template-injection", "dangerous-triggers"} <= idents


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_release_in_a_comment():
    uses_lines = [(path.name, line) for path in WORKFLOWS
                  for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses_lines
    unpinned = [f"{name}: {line.strip()}" for name, line in uses_lines if not PINNED.match(line)]
    assert unpinned == []


def test_one_action_is_pinned_to_one_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := PINNED.match(line):
                pins.setdefault(m[1], set()).add(m[2])
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


def test_the_token_can_only_read_except_where_pages_needs_more():
    for path in WORKFLOWS:
        assert load(path).get("permissions") == {"contents": "read"}, path.name
    for workflow, name, job in all_jobs():
        uses = {step.get("uses", "").split("@")[0] for step in job.get("steps", [])}
        permissions = job.get("permissions")
        if "actions/deploy-pages" in uses:
            assert permissions == {"pages": "write", "id-token": "write"}, (workflow, name)
        else:
            assert permissions is None, f"{workflow}: job {name} widens the token: {permissions}"


def test_each_workflow_has_a_concurrency_group():
    for path in WORKFLOWS:
        concurrency = load(path).get("concurrency")
        assert isinstance(concurrency, dict) and concurrency.get("group"), path.name
        assert "github.ref" in concurrency["group"], "runs of different branches must not cancel each other"


def test_checkout_never_leaves_the_token_on_disk():
    checkouts = [step for step in all_steps() if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_make_test_runs_on_push_and_pull_request_with_python_3_11_and_3_12():
    jobs = [(triggers(load(ROOT / ".github" / "workflows" / w)), job) for w, _, job in all_jobs()
            if any("make test" in step.get("run", "") for step in job.get("steps", []))]
    assert jobs, "no job runs make test"
    on, job = jobs[0]
    assert {"push", "pull_request"} <= set(on)
    assert "ubuntu" in job["runs-on"]
    assert {str(v) for v in job["strategy"]["matrix"]["python"]} == {"3.11", "3.12"}


def test_ci_runs_make_check():
    assert any(re.search(r"\bmake check\b", step.get("run", "")) for step in all_steps())


def test_the_site_is_deployed_to_pages_from_main_only_with_the_official_actions():
    jobs = {name: job for _, name, job in all_jobs()}
    used = {step.get("uses", "").split("@")[0] for job in jobs.values() for step in job.get("steps", [])}
    assert used >= PAGES_ACTIONS
    deploy = next(job for job in jobs.values()
                  if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job["steps"]))
    assert deploy["environment"]["name"] == "github-pages"
    build_names = [deploy["needs"]] if isinstance(deploy["needs"], str) else deploy["needs"]
    build = jobs[build_names[0]]
    assert "refs/heads/main" in build["if"] and "pull_request" in build["if"]
    assert any("make site" in step.get("run", "") for step in build["steps"])
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    # Nothing is deployed unless the tests and the freshness check passed.
    assert {"test", "check"} <= set(build["needs"])
