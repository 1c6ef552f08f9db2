"""Query counts of the class lists, pinned: the same with one row as with many, so an N+1 (a
query per session, enrolment, venue, teacher, party member, unit below…) breaks a pin."""

import json

import pytest

from civicgrid.classes import services
from civicgrid.classes.models import Channel
from civicgrid.classes.services import CourseData, TeacherData
from civicgrid.org import services as org_services
from civicgrid.org.kinds import Kind
from civicgrid.party import services as party


@pytest.fixture
def grow(classroom, session, tree):
    """Adds to community A1 a session of the night school on a day of its own, taught by the
    first session's teacher; a teacher of the community's pool (a party member); one more
    enrolment in the first session; a venue, a course, a topic request, and a grid below the
    community. Returns every session made so far."""
    staff = classroom.staff
    made = []

    def add(count: int) -> list:
        for _ in range(count):
            i = len(made)
            member = party.save_member(
                actor=staff, data=party.MemberData(name=f"讲师{i}", branch=classroom.branch)
            )
            teacher = services.save_teacher(
                actor=staff,
                unit=tree.community_a1,
                data=TeacherData(name=f"讲师{i}", kind="model_figure", member=member),
            )
            lecturer = made[0].teacher if made else teacher
            made.append(session(days=i + 1, teacher=lecturer, capacity=10))
            services.enrol(
                actor=staff,
                session=made[0],
                name=f"学员{i}",
                phone=f"1370000{i:04d}",
                channel=Channel.STAFF,
            )
            services.save_venue(
                actor=staff,
                unit=tree.community_a1,
                name=f"活动室{i}",
                kind="practice_base",
                capacity=20,
            )
            services.save_course(
                actor=staff,
                unit=tree.community_a1,
                data=CourseData(
                    title=f"课程{i}",
                    programme="night_school",
                    category="skills",
                    audience="residents",
                ),
            )
            services.propose_topic(
                unit=tree.grid_a1_1, title=f"话题{i}", proposer="张", phone=f"1380000{i:04d}"
            )
            org_services.create_unit(
                actor=None, parent=tree.community_a1, kind=Kind.GRID, name=f"甲一第{i + 3}网格"
            )
        return made

    return add


def test_the_class_lists_cost_the_same_for_one_row_as_for_six(
    client, classroom, tree, grow, pinned
):
    client.force_login(classroom.staff)
    code = tree.community_a1.code
    first = grow(1)[0]
    pages = {
        f"/classes/u/{code}/": 17,
        f"/classes/u/{code}/venues/": 7,
        f"/classes/u/{code}/teachers/": 8,
        f"/classes/u/{code}/plan/{first.starts_at.year}/": 9,
        f"/classes/u/{code}/figures/": 16,
        f"/classes/u/{code}/topics/": 7,
        f"/classes/courses/{classroom.night_school.pk}/": 9,
        f"/classes/sessions/{first.pk}/": 7,
        f"/classes/teachers/{first.teacher_id}/": 11,
        f"/api/v1/classes/units/{code}/sessions": 5,
    }
    public = {
        f"/classes/c/{code}/": 3,
        f"/classes/c/{code}/board/": 2,
        f"/classes/c/{code}/sessions.ics": 2,
        f"/api/v1/classes/public/{code}/sessions": 2,
    }
    pinned(pages)
    client.logout()
    pinned(public)
    grow(5)
    client.force_login(classroom.staff)
    bodies = pinned(pages)
    assert bodies[f"/classes/u/{code}/"].count('href="/classes/sessions/') >= 6
    assert "活动室5" in bodies[f"/classes/u/{code}/venues/"]
    assert "讲师5" in bodies[f"/classes/u/{code}/teachers/"]
    assert "甲一第8网格" in bodies[f"/classes/u/{code}/figures/"]
    assert "话题5" in bodies[f"/classes/u/{code}/topics/"]
    assert "学员5" in bodies[f"/classes/sessions/{first.pk}/"]
    assert bodies[f"/classes/teachers/{first.teacher_id}/"].count('href="/classes/sessions/') == 6
    assert len(json.loads(bodies[f"/api/v1/classes/units/{code}/sessions"])) == 6
    client.logout()
    bodies = pinned(public)
    assert bodies[f"/classes/c/{code}/sessions.ics"].count("BEGIN:VEVENT") == 6
    assert len(json.loads(bodies[f"/api/v1/classes/public/{code}/sessions"])) == 6
