"""Customer search over 1,000,000 customers in PostgreSQL: p50/p95 per kind of key.

Loads a fresh database (with COPY, for speed: the import path is measured by
bench_customer_import.py) with customers of Chinese names (their pinyin and initials
computed as the ORM does), a mobile each, a landline for one in four, an account, a
plate for one in three, a resident ID for one in five, and tags (老客户 one in three,
投诉 one in ten, vip one in twenty, 黑名单 one in a thousand); then runs ``search_customers``
for random keys of each kind, and tag and last-contact filters alone, warm, one at a time,
and prints p50/p95/max in ms and the mean number of results, with the load average.
Figures are printed, never asserted. Aim: p95 under 20 ms.

    .venv/bin/python bench/bench_customer_search.py [--customers 1000000] [--queries 200]
        [--seconds 20]  # time bound per kind of key
        [--database NAME]  # keep the loaded database under this name, reuse it next time
        [--kind name_part --kind "tag, page 50"]  # only these kinds of search
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from switchboard.crm.names import pinyin_forms
from switchboard.crm.search import CustomerQuery, search_customers
from switchboard.store import upgrade_database
from switchboard.store.db import create_database_engine

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文斌辉鹏飞婷雪宇浩然"
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
TAGS = (("老客户", 3, 1), ("投诉", 10, 3), ("vip", 20, 0), ("黑名单", 1000, 7))  # tag, every, at


def resident_id(n: int) -> str:
    # unique for n below 1.5 million: the "date" part is n % 500000, the sequence says which
    body = f"110105{19500101 + n % 500000:08d}"[:14] + f"{n // 500000 * 100 + n % 100:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def load(
    url: object, customers: int, rng: random.Random, *, write: bool = True
) -> dict[str, list[str]]:
    import psycopg

    samples: dict[str, list[str]] = {k: [] for k in ("phone", "landline", "account", "plate", "id")}
    names: list[str] = []
    cust, ident, tagged = io.StringIO(), io.StringIO(), io.StringIO()
    pinyin_cache: dict[str, tuple[str, str]] = {}
    identifier_id = 0
    for n in range(1, customers + 1):
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        if name not in pinyin_cache:
            pinyin_cache[name] = pinyin_forms(name)
        pinyin, initials = pinyin_cache[name]
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        cust.write(f"{n}\t{name}\t0\t\t{{}}\t\t{pinyin}\t{initials}\t{day}\n")
        keys = [("phone", f"13{n:09d}"), ("account", f"ACC{n:08d}")]
        if n % 4 == 0:
            keys.append(("phone", f"010{n:08d}"))
        if n % 3 == 0:
            keys.append(("plate", f"{PROVINCES[n % len(PROVINCES)]}B{n:06d}"))
        if n % 5 == 0:
            keys.append(("id_card", resident_id(n)))
        for tag, every, at in TAGS:
            if n % every == at:  # with the customer's last contact, as the tag rows carry it
                tagged.write(f"{n}\t{tag}\t{day}\n")
        for kind, value in keys:
            identifier_id += 1
            tail = value[-4:] if value.isdigit() else ""
            ident.write(f"{identifier_id}\t{n}\t{kind}\t{value}\t{tail}\n")
        if n % 997 == 0:
            names.append(name)
            samples["phone"].append(f"13{n:09d}")
            samples["account"].append(f"acc{n:08d}")
            samples["landline"].append(
                f"010-{n:08d}" if n % 4 == 0 else f"010{(n // 4 * 4 + 4):08d}"
            )
            samples["plate"].append(f"{PROVINCES[(n // 3 * 3) % len(PROVINCES)]}b{n // 3 * 3:06d}")
            samples["id"].append(resident_id(n // 5 * 5 or 5))
    conninfo = make_url(str(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    with_keys = _samples(samples, names, pinyin_cache)
    if not write:
        return with_keys
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY crm_customer (id, name, vip_level, language, attributes, notes, name_pinyin,"
            " name_initials, last_contact_at) FROM STDIN"
        ) as copy:
            copy.write(cust.getvalue())
        with cur.copy(
            "COPY crm_customer_identifier (id, customer_id, kind, value, tail) FROM STDIN"
        ) as copy:
            copy.write(ident.getvalue())
        with cur.copy(
            "COPY crm_customer_tag (customer_id, tag, last_contact_at) FROM STDIN"
        ) as copy:
            copy.write(tagged.getvalue())
        cur.execute("SELECT setval('crm_customer_id_seq', %s)", (customers,))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum leaves: statistics, visibility map
    return with_keys


def _samples(
    samples: dict[str, list[str]], names: list[str], pinyin_cache: dict[str, tuple[str, str]]
) -> dict[str, list[str]]:
    samples["name"] = names
    samples["name_part"] = [n[1:] for n in names]
    samples["pinyin"] = [pinyin_cache[n][0] for n in names]
    samples["initials"] = [pinyin_cache[n][1] for n in names]
    samples["pinyin_prefix"] = [pinyin_cache[n][0][:4] for n in names]
    samples["phone_tail"] = [p[-6:] for p in samples["phone"]]
    return samples


def filters(rng: random.Random) -> dict[str, list[CustomerQuery]]:
    """Searches without text: a tag, a last-contact week or month, both."""
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def since(days: int) -> tuple[datetime, datetime]:
        begin = start + timedelta(days=rng.randrange(0, 330 - days))
        return begin, begin + timedelta(days=days)

    weeks = [since(7) for _ in range(50)]
    return {
        "tag": [CustomerQuery(tags=(t,)) for t, *_ in TAGS],
        "tag, page 50": [CustomerQuery(tags=(t,), page=50) for t, *_ in TAGS[:3]],
        "contact_week": [CustomerQuery(contacted_from=a, contacted_to=b) for a, b in weeks],
        "contact_month": [
            CustomerQuery(contacted_from=a, contacted_to=b)
            for a, b in (since(30) for _ in range(50))
        ],
        "tag + contact_week": [
            CustomerQuery(tags=(TAGS[n % 4][0],), contacted_from=a, contacted_to=b)
            for n, (a, b) in enumerate(weeks)
        ],
    }


def timed(
    engine: object, texts: list[str] | list[CustomerQuery], queries: int, seconds: float
) -> dict[str, float]:
    """``queries`` searches, or fewer (at least 20) when they take more than ``seconds``."""
    times, counts = [], []
    budget = time.perf_counter() + seconds
    with Session(engine) as session:  # type: ignore[call-overload]

        def run(query: str | CustomerQuery) -> int:
            asked = CustomerQuery(query) if isinstance(query, str) else query
            return len(search_customers(session, asked).customers)

        for t in texts[:5]:
            run(t)  # warm
        for n in range(queries):
            if n >= 20 and time.perf_counter() > budget:
                break
            t = texts[n % len(texts)]
            started = time.perf_counter()
            counts.append(run(t))
            times.append((time.perf_counter() - started) * 1000)
            session.rollback()
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "max_ms": round(times[-1], 2),
        "mean_results": round(statistics.mean(counts), 1),
        "queries": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per kind")
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="keep the loaded database under this name; reuse it")
    parser.add_argument("--kind", action="append", help="only this kind of search (repeat)")
    args = parser.parse_args()
    admin = make_url(args.url)
    name = args.database or f"bench_search_{secrets.token_hex(3)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = admin.set(database=name)
    try:
        upgrade_database(url)
        started = time.perf_counter()
        if exists:  # the same keys as a fresh load, without writing them again
            samples = load(url, args.customers, random.Random(3), write=False)
            with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text("ANALYZE"))  # indexes a new migration may have added
        else:
            samples = load(url, args.customers, random.Random(3))
        loaded_s = time.perf_counter() - started
        target = create_database_engine(url)
        load_before = os.getloadavg()
        searches: dict[str, list[str] | list[CustomerQuery]] = {
            **samples,
            **filters(random.Random(5)),
        }
        wanted = args.kind or list(searches)
        figures = {
            kind: timed(target, searches[kind], args.queries, args.seconds) for kind in wanted
        }
        target.dispose()
        print(
            json.dumps(
                {
                    "customers": args.customers,
                    "load_s": round(loaded_s, 1),
                    "load_average": {"before": load_before, "after": os.getloadavg()},
                    "search": figures,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    finally:
        if not args.database:
            engine = create_engine(admin, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


if __name__ == "__main__":
    main()
