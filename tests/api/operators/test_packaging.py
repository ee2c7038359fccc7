"""`pip install .` gives a server that runs outside the checkout: the `directus` and `apps`
packages with their templates and migrations, and the `directus` command."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_installs_a_working_server(tmp_path):
    # Built from a copy: a build writes into its source folder.
    source = tmp_path / "source"
    for name in ("apps", "directus"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), ".",
        cwd=source,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
        assert tops == {"apps", "directus"}
        assert {"directus/templates/mail/message.html", "apps/users/migrations/0001_initial.py"} <= names
        archive.extractall(tmp_path / "site")

    # Run from elsewhere, against the installed copy only; the data directory defaults to ./var.
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DIRECTUS_", "DJANGO_"))}
    env["PYTHONPATH"] = str(tmp_path / "site")
    admin = ("--admin-email", "a@example.com", "--admin-password", "pw-1234")
    created = run(sys.executable, "-m", "directus", "createproject", "packaged", *admin, cwd=workdir, env=env)
    assert created.returncode == 0, created.stderr
    assert (workdir / "var" / "projects" / "packaged.sqlite3").is_file()
    check = "from django.template.loader import get_template; print(get_template('mail/message.html').origin.name)"
    shell = run(sys.executable, "-m", "directus", "shell", "-c", check, cwd=workdir, env=env)
    assert shell.returncode == 0, shell.stderr
    template = tmp_path / "site" / "directus" / "templates" / "mail" / "message.html"
    assert shell.stdout.strip().splitlines()[-1] == str(template)
