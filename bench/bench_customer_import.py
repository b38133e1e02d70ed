"""Import 100,000 customers from a CSV into PostgreSQL and print rows per second.

Writes a GB18030 file of realistic rows (Chinese names, a mobile and sometimes a second
phone, an account, a plate for one in three, tags, a last-contact date, a free field),
plus 1 % bad rows (a wrong resident-ID checksum), into a fresh database, then imports it
with the same code as ``switchboard customers import`` and imports it again (the re-run
that must change nothing). Figures are printed, never asserted. Aim: under 30 s.

Beside the wall time it prints the CPU seconds of this process (all its threads) and of
the PostgreSQL backends serving it (read from /proc: the server must be on this machine),
and the load average: on a shared machine the wall time says more about the neighbours.

    .venv/bin/python bench/bench_customer_import.py [--rows 100000] [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from switchboard.crm.identifiers import DEFAULT_RULES
from switchboard.crm.importer import import_customers
from switchboard.crm.reading import open_source
from switchboard.crm.rows import plan_columns
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文斌辉鹏飞婷雪宇浩然"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
HEADER = ["姓名", "手机", "账号", "身份证", "车牌", "VIP等级", "标签", "最近联系", "余额"]


def write_file(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            phones = f"13{n:09d}" + (f";010{n % 10**8:08d}" if n % 4 == 0 else "")
            plate = f"{rng.choice(PROVINCES)}B{n % 100000:05d}" if n % 3 == 0 else ""
            id_card = "110105194912310021" if n % 100 == 99 else ""  # a bad checksum
            out.writerow(
                [
                    name,
                    phones,
                    f"ACC{n:08d}",
                    id_card,
                    plate,
                    rng.choice(("normal", "silver", "gold", "")),
                    rng.choice(("", "vip", "投诉;老客户")),
                    f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
                    f"{rng.randint(0, 99999)}.00",
                ]
            )


def backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend connected to this database."""
    with engine.connect() as conn:
        pids = conn.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    admin = make_url(args.url)
    name = f"bench_import_{secrets.token_hex(3)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = admin.set(database=name)
    try:
        upgrade_database(url)
        target = create_database_engine(url)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "customers.csv"
            write_file(path, args.rows, random.Random(7))
            figures = {}
            for run in ("first", "rerun"):
                source = open_source(path)
                plan = plan_columns(source.headers, DEFAULT_RULES)
                server = backend_cpu(target)
                started, cpu = time.perf_counter(), time.process_time()
                counts = import_customers(
                    target,
                    source,
                    plan,
                    rules=DEFAULT_RULES,
                    vip_tiers=("normal", "silver", "gold", "platinum"),
                )
                elapsed = time.perf_counter() - started
                client_cpu = time.process_time() - cpu
                after = backend_cpu(target)
                figures[run] = {
                    "seconds": round(elapsed, 2),
                    "cpu_seconds_of_this_process": round(client_cpu, 2),
                    "cpu_seconds_of_postgresql": round(
                        sum(t - server.get(pid, 0.0) for pid, t in after.items()), 2
                    ),
                    "load_average": os.getloadavg(),
                    "rows_per_s": round(counts.rows / elapsed),
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                    "rejected": counts.rejected,
                }
        target.dispose()
        print(json.dumps({"rows": args.rows, **figures}, indent=2, ensure_ascii=False))
    finally:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


if __name__ == "__main__":
    main()
