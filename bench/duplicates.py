"""Duplicates by meaning: precision and recall of the duplicate hint on labelled pairs, the
by-meaning score (civicgrid.events.similarity: text + distance + time) against the old rule
(same category within the category's radius, 100 m), on the same pairs, in one run.

Two sets of pairs, each pair a new report and an open event with their texts, categories, the
distance between them and how many days apart they were reported:

- `reports`: pairs written here the way residents and grid workers report (the demo's synthetic
  events carry only their category's name as title, so they make no duplicates to label).
  Positives: one problem at one place told twice in other words, sometimes under another
  category (占道堆物/楼道堆物, 机动车乱停放/消防通道堵塞), 0–80 m apart and 1–72 hours later.
  Negatives: another problem nearby (same or other category), the same problem 400 m–3 km away,
  the same problem at the same place two months later.
- `messages`: the real citizens' messages of ../shared/data/messages-train.csv (read at run time,
  never copied; skipped with a message when absent). Positives: a message's subject line
  against the first sentence of its own details (the same complaint in a title and in a
  resident's own words), and two rows that are one complaint posted twice (they share at least
  three 20-character passages; found without the similarity under test). Negatives: the same
  against a message of the same label. Points and times are synthetic and drawn alike for both
  (0–150 m, 0–10 days), and the category is the label, so only the text tells them apart and the
  old rule can do no better than the share of positives within 100 m.

The headline `precision`, `recall` and `f1` are over all pairs (over the written reports alone
when the messages are absent); `baseline_*` are the old rule's on the same pairs; `sweep` shows
each set's figures from 0.15 to 0.50. `python -m bench.duplicates` prints them as JSON.
"""

import csv
import json
import os
import random
import re
import statistics
import time
from pathlib import Path

from bench import record
from civicgrid.events import similarity

# The real messages, where settings.ROUTING_MESSAGES says (CIVICGRID_ROUTING_MESSAGES).
MESSAGES = Path(
    os.environ.get(
        "CIVICGRID_ROUTING_MESSAGES",
        Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "messages-train.csv",
    )
)
RADIUS_M = 100  # the default category's duplicate radius (Category.duplicate_radius_m)
SWEEP = [round(0.15 + 0.025 * i, 3) for i in range(15)]

# Places, each with the other ways residents name it.
PLACES = [
    ["3号楼东侧", "3号楼东边", "三号楼东面"],
    ["5号楼2单元", "5号楼二单元", "五号楼2单元"],
    ["小区南门", "小区南大门", "南门口"],
    ["菜市场门口", "菜市场入口", "农贸市场门口"],
    ["幼儿园旁边", "幼儿园门口边上", "幼儿园附近"],
    ["纺机路与桐柏路交叉口", "纺机路桐柏路路口", "桐柏路纺机路口"],
    ["社区卫生站后面", "卫生服务站后边", "卫生站后面"],
    ["8号楼下", "8号楼楼下", "八号楼底下"],
]

# Problems: each a list of (category code, how someone tells it at {p}). The first code is the
# problem's own category; a different code is the same problem filed under another name.
PROBLEMS: list[list[tuple[str, str]]] = [
    [
        ("2101", "{p}消防通道被私家车堵塞"),
        ("2101", "{p}有车一直停在消防通道上，消防车进不来"),
        ("0404", "{p}机动车乱停，把消防通道堵死了"),
        ("2101", "{p}消防通道又被堵了，好几辆车停着不走"),
    ],
    [
        ("0103", "{p}楼道里堆满纸箱杂物"),
        ("0103", "{p}楼梯间堆了很多杂物和纸箱，走不过去"),
        ("0102", "{p}有人在楼道口堆放杂物纸箱"),
        ("0103", "{p}楼道堆物严重，存在消防隐患"),
    ],
    [
        ("0403", "{p}共享单车乱停放"),
        ("0403", "{p}一大堆共享单车横七竖八停着，挡路"),
        ("0404", "{p}单车乱停乱放，人都过不去"),
        ("0403", "{p}共享单车堆成一片，没人管"),
    ],
    [
        ("2401", "{p}外墙墙皮脱落，有坠落风险"),
        ("2401", "{p}墙皮一块块往下掉，砸到人怎么办"),
        ("2403", "{p}外墙瓷砖脱落，楼下行人有危险"),
        ("2401", "{p}楼外墙面起皮掉落"),
    ],
    [
        ("1201", "{p}人行道路面破损"),
        ("1201", "{p}人行道地砖坏了好多块，坑坑洼洼"),
        ("0501", "{p}路面塌了一个坑，走路容易崴脚"),
        ("1201", "{p}便道砖松动破损，下雨积水"),
    ],
    [
        ("1104", "{p}高压电缆下垂"),
        ("1104", "{p}电线垂得很低，快碰到人头了"),
        ("2104", "{p}电缆线耷拉下来，有触电危险"),
        ("1104", "{p}架空电缆掉下来挂在树上"),
    ],
    [
        ("1102", "{p}路灯不亮"),
        ("1102", "{p}路灯坏了好几天，晚上黑漆漆的"),
        ("1102", "{p}晚上路灯不亮，走路看不见"),
        ("1501", "{p}照明灯坏了一直没人修"),
    ],
    [
        ("1101", "{p}井盖破损"),
        ("1101", "{p}下水道井盖碎了一块，很危险"),
        ("1101", "{p}窨井盖缺了，晚上有人差点掉下去"),
        ("0501", "{p}井盖松动，车一压就响"),
    ],
    [
        ("0101", "{p}垃圾堆放没人清运"),
        ("0101", "{p}垃圾几天没人收，臭气熏天"),
        ("0104", "{p}生活垃圾堆成小山，苍蝇很多"),
        ("0101", "{p}垃圾桶满了溢出来，没人清理"),
    ],
    [
        ("0301", "{p}工地夜间施工噪音扰民"),
        ("0301", "{p}晚上十一点了还在施工，吵得睡不着"),
        ("0301", "{p}工地半夜打桩，噪音太大"),
        ("2201", "{p}施工噪音影响休息，跟工地说了也不听"),
    ],
    [
        ("0402", "{p}商户店外摆摊经营占用人行道"),
        ("0402", "{p}饭店把桌子摆到人行道上了"),
        ("0102", "{p}门店货物摆到店外，占道经营"),
        ("0402", "{p}店铺出店经营，行人只能走机动车道"),
    ],
    [
        ("2103", "{p}电动车在楼道里充电"),
        ("2103", "{p}有人从楼上拉电线给电动车充电"),
        ("2102", "{p}电瓶车进楼道充电，很不安全"),
        ("2103", "{p}飞线充电，电线从窗户垂下来"),
    ],
    [
        ("1401", "{p}树木倒伏挡住道路"),
        ("1401", "{p}大风把树刮倒了，横在路上"),
        ("1401", "{p}一棵大树歪倒压在围墙上"),
        ("1402", "{p}断树枝掉下来挡路"),
    ],
    [
        ("0502", "{p}自来水管破裂漏水"),
        ("0502", "{p}水管爆了，路上全是水"),
        ("0502", "{p}地下冒水，好像是水管破了"),
        ("2402", "{p}管道漏水往外流，好几个小时了"),
    ],
    [
        ("0201", "{p}墙上贴满小广告"),
        ("0201", "{p}电线杆和墙上到处是办证小广告"),
        ("0201", "{p}楼道墙面被喷涂小广告"),
        ("0202", "{p}乱张贴广告，很影响市容"),
    ],
    [
        ("1302", "{p}公厕水龙头坏了"),
        ("1302", "{p}公共厕所冲水坏了，味道很大"),
        ("1302", "{p}公厕门锁坏了关不上"),
        ("1301", "{p}厕所设施损坏没人修"),
    ],
]


def _pair(rng, positive, a, b, metres, days, cat_a, cat_b) -> dict:
    return {
        "positive": positive,
        "a": a,
        "b": b,
        "metres": metres,
        "days": days,
        "same_category": cat_a == cat_b,
    }


def report_pairs(seed: int = 20) -> list[dict]:
    rng = random.Random(seed)
    pairs = []

    def place(index: int) -> str:
        return rng.choice(PLACES[index])

    def told(problem: int) -> tuple[str, str]:
        return rng.choice(PROBLEMS[problem])

    for _ in range(400):  # the same problem told twice, close by, hours later
        p, where = rng.randrange(len(PROBLEMS)), rng.randrange(len(PLACES))
        (ca, ta), (cb, tb) = rng.sample(PROBLEMS[p], 2)
        pairs.append(
            _pair(
                rng,
                True,
                ta.format(p=place(where)),
                tb.format(p=place(where)),
                rng.uniform(0, 80),
                rng.uniform(1, 72) / 24,
                ca,
                cb,
            )
        )
    for _ in range(300):  # another problem close by (half of them at the same place)
        p, q = rng.sample(range(len(PROBLEMS)), 2)
        where = rng.randrange(len(PLACES))
        other = where if rng.random() < 0.5 else rng.randrange(len(PLACES))
        (ca, ta), (cb, tb) = told(p), told(q)
        if rng.random() < 0.3:  # … sometimes filed under the same category
            cb = ca
        pairs.append(
            _pair(
                rng,
                False,
                ta.format(p=place(where)),
                tb.format(p=place(other)),
                rng.uniform(0, 80),
                rng.uniform(1, 72) / 24,
                ca,
                cb,
            )
        )
    for _ in range(150):  # the same problem far away
        p = rng.randrange(len(PROBLEMS))
        where, other = rng.sample(range(len(PLACES)), 2)
        (ca, ta), (cb, tb) = told(p), told(p)
        pairs.append(
            _pair(
                rng,
                False,
                ta.format(p=place(where)),
                tb.format(p=place(other)),
                rng.uniform(400, 3000),
                rng.uniform(1, 72) / 24,
                ca,
                cb,
            )
        )
    for _ in range(150):  # the same problem at the same place, two months later
        p, where = rng.randrange(len(PROBLEMS)), rng.randrange(len(PLACES))
        (ca, ta), (cb, tb) = told(p), told(p)
        pairs.append(
            _pair(
                rng,
                False,
                ta.format(p=place(where)),
                tb.format(p=place(where)),
                rng.uniform(0, 80),
                rng.uniform(55, 70),
                ca,
                cb,
            )
        )
    return pairs


_SENTENCE_END = re.compile(r"[。！？!?；;]")


def _first_sentence(text: str, limit: int = 100) -> str:
    return _SENTENCE_END.split(text, maxsplit=1)[0][:limit]


def _shingles(text: str, size: int = 20) -> set[int]:
    han = similarity.normalise(text)
    return {hash(han[i : i + size]) for i in range(0, max(len(han) - size + 1, 0))}


def message_pairs(rows: list[dict], seed: int = 20) -> tuple[list[dict], dict]:
    """Pairs from the real messages, and how many of each kind were found."""
    rng = random.Random(seed)
    by_label: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_label.setdefault(row["label"], []).append(i)

    def place() -> tuple[float, float]:
        return rng.uniform(0, 150), rng.uniform(0, 10)

    def other(i: int) -> int:
        while True:
            j = rng.choice(by_label[rows[i]["label"]])
            if j != i and not (shingles[i] & shingles[j]):
                return j

    shingles = [_shingles(row["text"]) for row in rows]
    pairs = []
    # (1) a subject line against the first sentence of its own details (raw rows keep a space
    # between the two).
    subjects = []
    for i, row in enumerate(rows):
        cut = row["text"].find(" ")
        if 4 <= cut <= 40 and len(similarity.normalise(row["text"][cut:])) >= 10:
            subjects.append((i, row["text"][:cut], row["text"][cut + 1 :]))
    details = {i: rest for i, _, rest in subjects}
    for i, subject, rest in subjects:
        metres, days = place()
        pairs.append(_pair(rng, True, subject, _first_sentence(rest), metres, days, "same", "same"))
        j = other(i)
        body = details.get(j) or rows[j]["text"]
        metres, days = place()
        pairs.append(_pair(rng, False, subject, _first_sentence(body), metres, days, "x", "x"))
    # (2) one complaint posted twice: rows sharing three or more 20-character passages.
    owners: dict[int, list[int]] = {}
    for i, found in enumerate(shingles):
        for key in found:
            owners.setdefault(key, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for holders in owners.values():
        if 2 <= len(holders) <= 5:
            for x in range(len(holders)):
                for y in range(x + 1, len(holders)):
                    key = (holders[x], holders[y])
                    shared[key] = shared.get(key, 0) + 1
    twice = [key for key, n in shared.items() if n >= 3]
    for pair in pairs:
        pair["kind"] = "subject_vs_details"
    for i, j in twice:
        # What a hint compares: the start of each report (its subject and first words).
        metres, days = place()
        pairs.append(
            _pair(rng, True, rows[i]["text"][:80], rows[j]["text"][:80], metres, days, "s", "s")
        )
        k = other(i)
        metres, days = place()
        pairs.append(
            _pair(rng, False, rows[i]["text"][:80], rows[k]["text"][:80], metres, days, "s", "s")
        )
    for pair in pairs:
        pair.setdefault("kind", "posted_twice")
    return pairs, {"subject_vs_details": len(subjects), "posted_twice": len(twice)}


def _figures(decisions: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for said, truth in decisions if said and truth)
    fp = sum(1 for said, truth in decisions if said and not truth)
    fn = sum(1 for said, truth in decisions if not said and truth)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def _scores(pairs: list[dict]) -> list[float]:
    reach = similarity.reach_m(RADIUS_M)
    return [
        similarity.score(
            similarity.similarity(p["a"], p["b"]), p["metres"], p["days"], p["same_category"], reach
        )
        for p in pairs
    ]


def evaluate(pairs: list[dict]) -> dict:
    scores = _scores(pairs)
    truth = [p["positive"] for p in pairs]
    old = [p["same_category"] and p["metres"] <= RADIUS_M for p in pairs]
    return {
        "pairs": len(pairs),
        "positives": sum(truth),
        "by_meaning": _figures(
            [(s >= similarity.THRESHOLD, t) for s, t in zip(scores, truth, strict=True)]
        ),
        "old_rule": _figures(list(zip(old, truth, strict=True))),
        # What the pages list: the old rule's events still appear beside the by-meaning ones.
        "shown": _figures(
            [
                (o or s >= similarity.THRESHOLD, t)
                for o, s, t in zip(old, scores, truth, strict=True)
            ]
        ),
        "sweep": {
            str(threshold): _figures(
                [(s >= threshold, t) for s, t in zip(scores, truth, strict=True)]
            )
            for threshold in SWEEP
        },
    }


def _timing(texts: list[str], candidates: int = 300, runs: int = 200) -> tuple[float, float]:
    """p95 and median milliseconds of one report against `candidates` candidate texts (the
    messages' first 100 characters: a title and the start of the details)."""
    rng = random.Random(3)
    times = []
    for _ in range(runs):
        pool = [rng.choice(texts) for _ in range(candidates)]
        query = rng.choice(texts)
        started = time.perf_counter()
        similarity.similarities(query, pool)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.quantiles(times, n=20)[18], 2), round(statistics.median(times), 2)


def run() -> dict:
    result: dict = {"threshold": similarity.THRESHOLD, "radius_m": RADIUS_M}
    reports = report_pairs()
    result["reports"] = evaluate(reports)
    texts = [p["a"] for p in reports]
    if MESSAGES.exists():
        with MESSAGES.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        pairs, found = message_pairs(rows)
        result["messages"] = evaluate(pairs) | {"found": found}
        for kind in found:
            part = evaluate([pair for pair in pairs if pair["kind"] == kind])
            result["messages"][kind] = {
                key: part[key] for key in ("by_meaning", "old_rule", "shown")
            }
        texts = [row["text"][:100] for row in rows]
        everything = reports + pairs
        result["all"] = {
            key: value for key, value in evaluate(everything).items() if key != "sweep"
        }
    else:
        result["messages"] = f"skipped: {MESSAGES} is absent (the real messages are not shipped)"
    result["p95_ms_one_against_300"], result["median_ms_one_against_300"] = _timing(texts)
    main = result["all"] if "all" in result else result["reports"]
    result["precision"] = main["by_meaning"]["precision"]
    result["recall"] = main["by_meaning"]["recall"]
    result["f1"] = main["by_meaning"]["f1"]
    result["baseline_precision"] = main["old_rule"]["precision"]
    result["baseline_recall"] = main["old_rule"]["recall"]
    return record(
        "duplicates",
        result,
        baseline="same category within the category's radius (100 m), on the same pairs",
        ratio=result["precision"] / max(result["baseline_precision"], 1e-9),
    )


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
