import datetime as dt
import itertools

import pytest

# A small labelled set written for these tests: three kinds of problem, said in several ways.
SAID = {
    "垃圾": [
        "小区门口垃圾没人清运",
        "垃圾桶旁边堆满生活垃圾发臭",
        "路边暴露垃圾好几天没人管",
        "楼下垃圾乱扔没有清理",
        "垃圾站满了溢出来很臭",
        "生活垃圾堆在路口",
        "绿化带里有人倒垃圾",
        "垃圾清运不及时气味难闻",
        "菜市场旁垃圾成堆",
        "垃圾桶满了一直没人倒",
        "建筑垃圾和生活垃圾混在一起",
        "门口的垃圾三天没收走了",
    ],
    "路灯": [
        "路灯不亮晚上漆黑一片",
        "小区北门路灯坏了",
        "一排路灯都不亮很危险",
        "路灯白天亮着晚上却不亮",
        "路口的路灯闪个不停",
        "路灯杆被撞歪了灯也不亮",
        "晚上回家路灯全黑",
        "公园里的路灯坏了好久",
        "路灯线路老化不亮",
        "学校门口路灯不亮孩子害怕",
        "马路边路灯灯罩掉了",
        "路灯坏了请尽快修",
    ],
    "井盖": [
        "井盖破损缺失很危险",
        "窨井盖松动发出响声",
        "路中间井盖塌陷",
        "井盖丢了有人差点掉下去",
        "人行道上井盖碎了",
        "雨水井盖被偷了",
        "井盖高出路面绊脚",
        "小区里的井盖翘起来了",
        "井盖下沉车辆颠簸",
        "井盖缺了一角",
        "污水井盖破了一个洞",
        "井盖晃动晚上很吵",
    ],
}


@pytest.fixture
def labelled(tmp_path):
    """A `label,text` CSV of SAID; returns its path."""
    path = tmp_path / "labelled.csv"
    lines = ["label,text"] + [f"{label},{text}" for label, texts in SAID.items() for text in texts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CODES = {"垃圾": "0101", "路灯": "1102", "井盖": "1101"}
# Inside grid A1-1 of the root `tree` fixture.
POINT = (113.53, 34.73)


@pytest.fixture
def close_events(tree, db):
    """close_events([(text, category code, handler unit or None), …], since=…, corrected=False):
    closed events written straight to the table (routing reads only what they say and how
    they ended), one minute apart from `since`; `corrected` adds a dispatcher's recategorize
    step to each."""
    from civicgrid.events.models import Category, Event, EventStep, Source, Status

    numbers = itertools.count(1)
    categories = {c.code: c for c in Category.objects.all()}

    def make(rows, *, since=dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), corrected=False):
        made = []
        for i, (text, code, handler) in enumerate(rows):
            n = next(numbers)
            at = since + dt.timedelta(minutes=i)
            made.append(
                Event(
                    number=f"T{n:08d}",
                    title=text,
                    description="",
                    category=categories[code],
                    source=Source.PATROL,
                    status=Status.CLOSED,
                    unit=tree.grid_a1_1,
                    unit_code=tree.grid_a1_1.code,
                    lon=POINT[0],
                    lat=POINT[1],
                    reported_at=at - dt.timedelta(days=1),
                    closed_at=at,
                    handler_unit=handler,
                )
            )
        Event.objects.bulk_create(made)
        if corrected:
            EventStep.objects.bulk_create(
                EventStep(
                    event=event,
                    action="recategorize",
                    from_status=Status.ACCEPTED,
                    to_status=Status.ACCEPTED,
                    details={"from": "0101", "to": event.category.code},
                    at=event.closed_at - dt.timedelta(hours=20),
                )
                for event in made
            )
        return made

    return make


@pytest.fixture
def routing_settings(settings):
    settings.ROUTING_MIN_EVENTS = 10
    settings.ROUTING_RETRAIN_MIN_NEW = 5
    settings.ROUTING_HOLDOUT_SHARE = 0.2
    return settings
