"""The GitHub Pages workflow builds dist/ the way docs/building.md says and
deploys it with the official Pages actions."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text())


def test_workflow_builds_then_deploys_dist_with_the_official_actions():
    wf = load_workflow()
    perms = wf["permissions"]
    assert perms["pages"] == "write" and perms["id-token"] == "write"
    build_steps = wf["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in build_steps]
    upload = next(s for s in build_steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "dist"
    runs = "\n".join(s.get("run", "") for s in build_steps)
    assert "python3 build/dev.py setup" in runs  # the same set-up as the Quick start's commands
    assert "python3 build/dev.py setup" in (ROOT / "docs" / "building.md").read_text()  # and the docs say so
    assert uses.index(upload["uses"]) > max(i for i, s in enumerate(build_steps) if "run" in s)
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])


def test_setup_command_exists_in_the_dev_script():
    assert '"setup"' in (ROOT / "build" / "dev.py").read_text()
