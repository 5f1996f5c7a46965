"""The deployment files say what the code does: `.env.example` names every setting with a
valid example, and the image, compose file and systemd unit run what the README says.

Docker and systemd cannot run here; these checks keep the files in step with the code, and
`systemd-analyze` (where installed) reads the unit as systemd would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, env_name, load_settings

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = re.compile(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$")


def example_lines() -> dict[str, str]:
    """`NAME=value` of `.env.example`, commented or not."""
    found: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            assert match[1] not in found, f"{match[1]} is in .env.example twice"
            found[match[1]] = match[2]
    return found


def test_env_example_names_every_setting_and_nothing_else() -> None:
    names = {env_name(field) for field in Settings.model_fields}
    listed = example_lines()
    assert sorted(names - set(listed)) == [], "settings missing from .env.example"
    assert sorted(set(listed) - names) == [], ".env.example names what is no setting"


def test_env_example_values_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Uncommenting every line of `.env.example` gives settings that load."""
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name in list(os.environ):
        if name.startswith(("TELEGRAM_", "KHUYENHOC_")):
            monkeypatch.delenv(name)
    for name, value in example_lines().items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.backup_time.strftime("%H:%M") == "02:30"
    assert settings.webhook_url == "https://bot.example.org"


def test_the_image() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.12-slim$", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'VOLUME ["/var/lib/khuyenhoc"]' in dockerfile
    assert "KHUYENHOC_DATABASE=/var/lib/khuyenhoc/" in dockerfile
    health = dockerfile[dockerfile.index("HEALTHCHECK") :]
    assert "/healthz" in health and "khuyenhoc check --offline" in health
    assert dockerfile.rstrip().endswith('CMD ["khuyenhoc", "run"]')
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for secret in (".env", "*.sqlite3", ".venv"):
        assert secret in ignored


def test_compose_and_the_systemd_unit() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "env_file: .env" in compose
    assert (
        "- data:/var/lib/khuyenhoc" in compose and "- backups:/var/lib/khuyenhoc/backups" in compose
    )
    unit = (ROOT / "deploy" / "khuyenhoc.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/khuyenhoc/venv/bin/khuyenhoc run" in unit
    assert "User=khuyenhoc" in unit and "EnvironmentFile=/etc/khuyenhoc/khuyenhoc.env" in unit
    assert "KillSignal=SIGTERM" in unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_accepts_the_unit_and_rates_it_safe(tmp_path: Path) -> None:
    """`systemd-analyze verify` reads the unit as systemd would (with the command pointed at
    this checkout's `khuyenhoc`, and the settings file optional, since neither is installed
    here); its offline security review rates what the unit allows the bot (under 2 is "OK")."""
    unit = (ROOT / "deploy" / "khuyenhoc.service").read_text(encoding="utf-8")
    command = Path(sys.executable).parent / "khuyenhoc"
    copy = tmp_path / "khuyenhoc.service"
    copy.write_text(
        unit.replace("/opt/khuyenhoc/venv/bin/khuyenhoc", str(command)).replace(
            "EnvironmentFile=/", "EnvironmentFile=-/"
        ),
        encoding="utf-8",
    )
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert level is not None, security.stdout + security.stderr
    assert float(level[1]) < 2.0, security.stdout


def test_readme_deployment_names_the_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deployment = readme[readme.index("## Deployment") :]
    deployment = deployment[: deployment.index("\n## ", 1)]
    for step in (
        "cp .env.example .env",
        "docker compose up -d",
        "deploy/khuyenhoc.service",
        "systemctl enable --now khuyenhoc",
        "khuyenhoc backup",
        "khuyenhoc restore",
        "khuyenhoc check",
        "/healthz",
    ):
        assert step in deployment, step
