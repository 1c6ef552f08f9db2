"""scripts/serve gives each server its own gunicorn control socket: gunicorn's default is one
path per user, so a second server on the host (another port, a benchmark) would take over
the first one's and `gunicornc` would steer the wrong server.

The script runs with stand-ins for python (the huey consumer) and gunicorn that record the
command line; gunicorn's own option parser then reads it."""

import os
import subprocess
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[3]
SERVE = ROOT / "scripts" / "serve"


def _served_with(tmp_path: Path, port: int) -> list[str]:
    """The arguments scripts/serve hands gunicorn when it serves on `port`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "gunicorn").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n')
    for stub in bin_dir.iterdir():
        stub.chmod(0o755)
    args_file = tmp_path / f"gunicorn-{port}.args"
    env = os.environ | {
        "BIN": str(bin_dir),
        "PORT": str(port),
        "CIVICGRID_VAR_DIR": str(tmp_path / "var"),
        "ARGS_FILE": str(args_file),
    }
    subprocess.run([str(SERVE)], cwd=ROOT, env=env, check=True, timeout=60, capture_output=True)
    return args_file.read_text().splitlines()


def test_each_server_has_its_own_control_socket(tmp_path):
    parser = Config().parser()
    first = parser.parse_args(_served_with(tmp_path, 8000))
    second = parser.parse_args(_served_with(tmp_path, 8001))
    assert first.control_socket == str(tmp_path / "var" / "gunicorn-8000.ctl")
    assert second.control_socket == str(tmp_path / "var" / "gunicorn-8001.ctl")
    assert Config().control_socket not in {first.control_socket, second.control_socket}
