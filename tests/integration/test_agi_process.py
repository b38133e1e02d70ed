"""Process AGI: the same handler through pyst2 over real pipes writes the same bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from twisted.internet.task import Clock

from switchboard.cti.agi import BUILTIN_HANDLERS
from switchboard.cti.agi.server import AgiServerFactory
from switchboard.cti.agi.session import SessionOptions
from switchboard.testing.agi import FakeAsterisk, env_block

REPLIES = [
    "200 result=0",
    "200 result=49 endpos=13440",
    "200 result=23",
    "200 result=1",
    "200 result=1",
]
EXPECTED = (
    b"ANSWER\n"
    b'STREAM FILE tt-monkeysintro "0123456789*#"\n'
    b"GET DATA beep 4000 4\n"
    b"SET VARIABLE SWITCHBOARD_QUEUE sales\n"
    b'SET VARIABLE SWITCHBOARD_IVR_DIGITS "123"\n'
)
RUNNER = """
import argparse, sys
from twisted.internet import reactor
from switchboard.config.model import Settings
from switchboard.cti.agi.commands import add_commands
from switchboard.cti.agi.wire import Quoted

async def echo_args(channel):
    await channel.set_variable("ARGS", Quoted("|".join(channel.env.args)))
    await channel.set_variable("ARG1", Quoted(channel.env.get("arg_1")))

def handlers(settings, reactor):
    from switchboard.cti.agi.builtin import BUILTIN_HANDLERS
    return {**BUILTIN_HANDLERS, "echo-args": echo_args}

parser = argparse.ArgumentParser()
add_commands(parser.add_subparsers(), handlers_for=handlers)
args = parser.parse_args(sys.argv[1:])
args.reactor = reactor
sys.exit(args.run(args, Settings()))
"""


def run_process(script: str, stdin: bytes, *argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, "agi", script, *argv],
        input=stdin,
        capture_output=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )


def test_process_agi_writes_the_commands_of_the_handler() -> None:
    stdin = env_block("main-menu", args=["5551003"], callerid="5551003")
    stdin = stdin.replace(b"agi_network: yes\n", b"")
    done = run_process("main-menu", stdin + "".join(r + "\n" for r in REPLIES).encode())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == EXPECTED


def test_fastagi_and_process_agi_send_identical_bytes() -> None:
    clock = Clock()
    factory = AgiServerFactory(BUILTIN_HANDLERS, clock, SessionOptions())
    asterisk = FakeAsterisk(factory, clock)
    asterisk.send(env_block("main-menu", args=["5551003"], callerid="5551003"))
    for reply in REPLIES:
        asterisk.reply(reply)
    assert asterisk.transport.value() == EXPECTED
    assert asterisk.closed_by_server
    asterisk.disconnect()
    assert clock.getDelayedCalls() == []


def process_env(script: str, *args: str) -> bytes:
    """The environment of ``AGI(switchboard-agi,<script>,<args>)``: the script is agi_arg_1."""
    block = env_block(script, args=[script, *args], callerid="5571001")
    return (
        block.replace(b"agi_network: yes\n", b"")
        .replace(f"agi_network_script: {script}\n".encode(), b"")
        .replace(f"agi://127.0.0.1:4573/{script}".encode(), b"/usr/local/bin/switchboard-agi")
    )


def test_process_agi_takes_the_dialplan_arguments_and_shows_them_as_fastagi_does() -> None:
    """issue 8 item 9: AGI(switchboard-agi,main-menu,${CALLERID(num)},${CHANNEL(language)})
    through a wrapper with "$@" runs, and agi_arg_1 is the caller's number, as under FastAGI."""
    done = run_process(
        "echo-args",
        process_env("echo-args", "5571001", "en") + b"200 result=1\n" * 2,
        "5571001",
        "en",
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b'SET VARIABLE ARGS "5571001|en"\nSET VARIABLE ARG1 "5571001"\n'


def test_a_wrapper_that_names_the_script_itself_keeps_every_argument() -> None:
    # exec switchboard agi echo-args "$@" with AGI(/path/to/wrapper,5571001): nothing to drop.
    block = env_block("echo-args", args=["5571001"]).replace(b"agi_network: yes\n", b"")
    done = run_process("echo-args", block + b"200 result=1\n" * 2, "5571001")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.startswith(b'SET VARIABLE ARGS "5571001"\n')


def test_process_agi_failed_command_is_logged_and_exits_1() -> None:
    # STREAM FILE fails (-1) with no SIGHUP: a failure, logged, exit status 1.
    stdin = env_block("main-menu") + b"200 result=0\n200 result=-1 endpos=100\n"
    done = run_process("main-menu", stdin)
    assert done.returncode == 1
    assert done.stdout == b'ANSWER\nSTREAM FILE tt-monkeysintro "0123456789*#"\n'
    assert b"agi_handler_failed" in done.stderr


def test_process_agi_unknown_script_exits_with_status_2() -> None:
    done = run_process("no-such-script", env_block("no-such-script"))
    assert done.returncode == 2
    assert done.stdout == b""


def test_switchboard_agi_runs_the_flows_as_serve_does(tmp_path: Path) -> None:
    """`switchboard agi main-menu` from a dialplan runs the flow of that name, not a stub."""
    import os

    env = {**os.environ, "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'sb.sqlite'}"}
    upgrade = subprocess.run(
        [sys.executable, "-m", "switchboard", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr.decode()
    stdin = env_block("main-menu", args=["5552002"], callerid="5552002").replace(
        b"agi_network: yes\n", b""
    )
    done = subprocess.run(
        [sys.executable, "-m", "switchboard", "agi", "main-menu"],
        input=stdin + b"200 result=0\n" * 4,  # then the caller hangs up (EOF)
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    commands = done.stdout.decode().splitlines()
    # The shipped bilingual main menu: answer, welcome, then the language choice (the route
    # variable the dialplan decides on is set to "failed" until the flow has decided).
    assert commands.pop(1) == "SET VARIABLE SWITCHBOARD_ROUTE failed"
    assert commands[0] == "ANSWER"
    assert commands[1].startswith("STREAM FILE switchboard/") and "/welcome " in commands[1]
    assert "/choose-language " in commands[2]
    assert b"ivr_caller_hung_up" in done.stderr  # the flow ended cleanly where they left


def test_an_unmigrated_database_is_a_loud_error_in_the_settings_log_and_a_fallback(
    tmp_path: Path,
) -> None:
    """issue 8 item 10: run from "/" as Asterisk does, with a settings file naming a relative
    database that nobody upgraded: no command is sent, the exit status makes Asterisk set
    AGISTATUS=FAILURE (the fallback's cue), and the log file the settings name says why."""
    import json
    import os

    settings = tmp_path / "switchboard.toml"
    settings.write_text(
        '[database]\nurl = "sqlite:///data/sb.sqlite"\n[logging]\nfile = "switchboard.log"\n'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "switchboard",
            "-c",
            str(settings),
            "agi",
            "main-menu",
            "5571001",
            "en",
        ],
        input=process_env("main-menu", "5571001", "en"),
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        cwd="/",
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr.decode()
    assert done.stdout == b""
    lines = [json.loads(line) for line in (tmp_path / "switchboard.log").read_text().splitlines()]
    (error,) = [line for line in lines if line["event"] == "agi_not_ready"]
    assert error["level"] == "error"
    assert f"{tmp_path}/data/sb.sqlite does not exist" in error["problem"]
    assert "db upgrade" in error["problem"]
    assert not (Path("/data/sb.sqlite")).exists()


def test_a_process_agi_loads_no_orm_alembic_or_ami_before_its_first_command(
    tmp_path: Path,
) -> None:
    """issue 8 item 11: start-up is the caller's silence; the database code loads later
    (in a thread while the first prompt plays, see switchboard.commands)."""
    import os

    settings = tmp_path / "switchboard.toml"
    settings.write_text('[database]\nurl = "sqlite:///sb.sqlite"\n')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run(
        [sys.executable, "-m", "switchboard", "-c", str(settings), "db", "upgrade"],
        env=env,
        capture_output=True,
        timeout=60,
        check=True,
    )
    probe = (
        "import sys\n"
        "from twisted.internet.task import Clock\n"
        "from switchboard.commands import process_agi_handlers\n"
        "from switchboard.config import load_settings\n"
        f"handlers = process_agi_handlers(load_settings({str(settings)!r}), Clock())\n"
        "assert 'main-menu' in handlers\n"
        "heavy = ('sqlalchemy', 'alembic', 'switchboard.app', 'switchboard.cti.ami',\n"
        "         'switchboard.ivr_flows.records', 'switchboard.crm', 'switchboard.queue')\n"
        "print('LOADED:', *sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    (loaded,) = [line for line in done.stdout.decode().splitlines() if line.startswith("LOADED:")]
    assert loaded.split() == ["LOADED:"]


def test_a_process_agi_never_loads_tls_or_rich_which_a_call_does_not_use(
    tmp_path: Path,
) -> None:
    """The caller's silence again: Twisted's TCP support would load pyOpenSSL and structlog
    would load rich (about 80 ms of a 0.37 s start, docs/performance.md); the call still
    runs its flow without them."""
    import os

    env = {**os.environ, "SWITCHBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'sb.sqlite'}"}
    subprocess.run(
        [sys.executable, "-m", "switchboard", "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=True,
    )
    # `python -m switchboard agi main-menu`, telling at its exit which modules it holds.
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print('LOADED:', *sorted(\n"
        "    m for m, module in sys.modules.items() if module is not None), file=sys.__stderr__))\n"
        "sys.argv = ['switchboard', 'agi', 'main-menu']\n"
        "runpy.run_module('switchboard', run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        input=env_block("main-menu", args=["5552002"]) + b"200 result=0\n" * 4,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    assert done.stdout.decode().splitlines()[0] == "ANSWER"
    (line,) = [x for x in done.stderr.decode().splitlines() if x.startswith("LOADED:")]
    loaded = set(line.split()[1:])
    assert "twisted.internet.reactor" in loaded and "structlog" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("OpenSSL", "rich")}
