"""The operators' commands on a data directory nothing has touched yet: no `migrate` first."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manage(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DIRECTUS_", "DJANGO_"))}
    env |= {"DIRECTUS_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "directus.settings.dev"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_createproject_on_a_fresh_data_directory(tmp_path):
    admin = ("--admin-email", "a@example.com", "--admin-password", "pw-1234")
    created = manage(tmp_path, "createproject", "fresh", *admin)
    assert created.returncode == 0, created.stderr
    assert "Traceback" not in created.stderr
    assert "Created project 'fresh'" in created.stdout
    assert (tmp_path / "control.sqlite3").is_file() and (tmp_path / "projects" / "fresh.sqlite3").is_file()

    deleted = manage(tmp_path, "deleteproject", "fresh", "--drop-database")
    assert deleted.returncode == 0, deleted.stderr


def test_other_project_commands_on_a_fresh_data_directory(tmp_path):
    unknown = manage(tmp_path, "refresh_project", "nothing")
    assert unknown.returncode == 1
    assert "Traceback" not in unknown.stderr and "Unknown project 'nothing'" in unknown.stderr
    migrated = manage(tmp_path, "migrate_projects")
    assert migrated.returncode == 0, migrated.stderr
