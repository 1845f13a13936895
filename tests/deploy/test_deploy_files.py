"""deploy/: the compose file, nginx config and Rasa endpoints a production layout runs with.

Docker cannot run here, so the compose file is checked for what ``docker compose`` would need
and for the layout deploy/README.md promises; every command is parsed by the real CLI it
calls (siloscope's here, Rasa's in tests/rasa_server/test_deploy_rasa.py); nginx's own ``nginx -t`` checks its config.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cli import build_parser
from bot.settings import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
SILOSCOPE_SERVICES = {"migrate", "actions", "web", "rasa-1", "rasa-2"}


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_service_has_an_image_a_command_and_its_environment() -> None:
    services = compose()["services"]
    assert set(services) == SILOSCOPE_SERVICES | {"postgres", "redis", "proxy"}
    for name, service in services.items():
        assert service.get("image"), f"{name} has no image"
        if name in SILOSCOPE_SERVICES:
            assert command_of(service), f"{name} has no command"
            env = service["environment"]
            assert env["DATABASE_URL"].startswith("postgresql://siloscope:${POSTGRES_PASSWORD") and "@postgres:" in env[
                "DATABASE_URL"]
            assert {"RASA_TOKEN", "SILOSCOPE_DASHBOARD_TOKEN", "SILOSCOPE_WEBHOOK_SECRET"} <= set(env)
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "siloscope"
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis"]


def test_only_the_proxy_publishes_ports_and_servers_wait_for_the_migration() -> None:
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert published == {"proxy": ["80:80", "443:443"]}
    for name in SILOSCOPE_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_every_secret_the_compose_file_needs_is_in_the_example_env() -> None:
    text = (DEPLOY / "docker-compose.yml").read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = dict(line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
                   if line and not line.startswith("#"))  # fmt: skip
    assert needed <= set(example), needed - set(example)


def test_siloscope_commands_parse_with_the_real_cli() -> None:
    parser = build_parser()
    for name in ("migrate", "web"):
        words = command_of(compose()["services"][name])
        assert words[0] == "siloscope"
        args = parser.parse_args(words[1:])
        assert args.command == name


def test_rasa_runs_in_its_own_image_on_the_python_rasa_supports() -> None:
    """Rasa 3.6 needs Python 3.10, the core 3.12: each service builds the Dockerfile target of its environment."""
    stages = dict(re.findall(r"^FROM python:(\S+)-slim AS (\w+)$", (DEPLOY / "Dockerfile").read_text(), re.M))
    assert stages == {"3.12": "core", "3.10": "rasa"}
    for name, service in compose()["services"].items():
        if name in SILOSCOPE_SERVICES:
            target = "rasa" if name.startswith("rasa-") else "core"
            assert service["build"]["target"] == target, name
            assert service["image"].startswith("siloscope-rasa:" if target == "rasa" else "siloscope:"), name


def test_the_action_servers_run_the_locked_entry() -> None:
    from servers.action_server import build_parser as action_parser

    words = command_of(compose()["services"]["actions"])
    assert words[:3] == ["python", "-m", "servers.action_server"]
    args = action_parser().parse_args(words[3:])
    assert args.actions == "actions" and args.port == 5055


def test_nginx_is_sticky_over_every_rasa_worker() -> None:
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream rasa \{(.*?)\}", conf, re.S).group(1)
    assert "ip_hash;" in upstream
    workers = {name for name in compose()["services"] if name.startswith("rasa-")}
    assert set(re.findall(r"server (rasa-\d+):5005", upstream)) == workers
    assert re.search(r"location /socket.io/ \{[^}]*proxy_pass http://rasa;[^}]*Upgrade", conf)


def test_nginx_accepts_its_config(tmp_path: Path) -> None:
    """``nginx -t`` on the real file, with the compose hostnames pointed at loopback and a throw-away cert."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light); its config is checked when it is")
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test",
                    "-keyout", str(tls / "privkey.pem"), "-out", str(tls / "fullchain.pem")],
                   check=True, capture_output=True)  # fmt: skip
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    conf = re.sub(r"\b(rasa-\d+|web):(\d+)", r"127.0.0.1:\2", conf).replace("/etc/nginx/tls", str(tls))
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


def test_the_image_copies_only_what_exists() -> None:
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (PROJECT_ROOT / source).exists() or source == "models", f"Dockerfile copies missing {source}"
