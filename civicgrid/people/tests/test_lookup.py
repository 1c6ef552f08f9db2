import datetime as dt

import pytest

from civicgrid.people import search, selectors
from civicgrid.people.tests.conftest import id_number

pytestmark = pytest.mark.django_db


def names(user, query):
    return sorted(p.name for p in selectors.lookup(user, query))


@pytest.mark.parametrize(
    "query",
    [
        "张秀英",
        "秀英",
        "zxy",
        "ZXY",
        "zhangxiuying",
        "xiuying",
        "zhang",
        "保利百合 3号楼 张",
        "blbh 501 zx",
        "3-2-501 张",
        "2单元 zxy",
        "13812345678",
        "+8613812345678",
        "138-1234-5678",
    ],
)
def test_the_grid_worker_finds_her(estate, people, query):
    assert "张秀英" in names(people["alice"], query)


def test_every_word_must_match(estate, people):
    assert names(people["alice"], "保利百合 3号楼") == ["张秀英", "李建国"]
    assert names(people["alice"], "保利百合 3号楼 ljg") == ["李建国"]
    assert names(people["alice"], "保利百合 4号楼") == []


def test_a_surname_with_two_readings(estate, people):
    # 单 reads shan as a surname; the default reading is dan. Both initials find him.
    assert names(people["bob"], "sxx") == ["单雄信"]
    assert names(people["bob"], "dxx") == ["单雄信"]


def test_lookup_stays_in_scope(estate, people, volunteer):
    assert names(people["bob"], "张秀英") == []
    assert names(people["erin"], "zxy") == []
    assert names(people["mallory"], "zxy") == []
    assert names(volunteer, "zxy") == []  # the micro-grid is not her grid
    assert names(people["carol"], "zxy") == ["张秀英"]
    assert names(people["dave"], "zxy") == ["张秀英"]


def test_numbers_find_a_person_only_for_those_who_may_reveal_them(estate, people):
    number = id_number(dt.date(1940, 3, 1), 2)
    assert names(people["alice"], number) == ["张秀英"]
    assert names(people["alice"], number.lower()) == ["张秀英"] or number[-1] != "X"
    # A read-only leader sees her record but cannot use the box to test whose number it is.
    assert names(people["dave"], number) == []
    assert names(people["dave"], "13812345678") == []
    # Part of a number finds nothing: numbers are never stored in clear.
    assert names(people["alice"], "1381234") == []
    assert names(people["alice"], number[:10]) == []


def test_words_and_wildcards():
    assert search.words("  ") == []
    assert search.words("#i ab%") == [("i", False), ("ab%", False)]
    assert [exact for _, exact in search.words("13812345678 zxy")] == [True, False]


def test_like_wildcards_are_literal(estate, people):
    assert names(people["alice"], "%") == []
    assert names(people["alice"], "_") == []
