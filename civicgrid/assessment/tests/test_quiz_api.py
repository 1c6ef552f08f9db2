"""The knowledge test in the JSON API: the worker's paper without answers while the quiz is
open, start, save an answer, hand in, refusals as 409/404 in the one error shape; the
assessors' results; another worker and another street's staff get 404."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from civicgrid.accounts.tokens import issue_token
from civicgrid.assessment.models import Question
from civicgrid.assessment.tests.quiz_kit import other_street_staff, setup

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessment/quiz"


def _auth(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=user, name='t')[1]}"}


def _send(client, method, url, body, auth):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **auth)


def test_a_worker_takes_the_quiz_through_the_api(client, tree, people):
    now = timezone.now()
    s = setup(
        tree, people, opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1)
    )
    alice = _auth(people["alice"])
    paper = s.paper()
    listed = client.get(f"{BASE}/papers", **alice).json()
    assert [p["id"] for p in listed] == [paper.pk] and listed[0]["status"] == "issued"
    assert client.get(f"{BASE}/papers/{paper.pk}", **alice).json()["questions"] == []
    started = _send(client, "post", f"{BASE}/papers/{paper.pk}/start", {}, alice).json()
    assert started["status"] == "started" and 0 < started["seconds_left"] <= 30 * 60
    assert len(started["questions"]) == 10
    for question in started["questions"]:
        assert question["answer"] is None and question["explanation"] is None
    again = _send(client, "post", f"{BASE}/papers/{paper.pk}/start", {}, alice)
    assert again.status_code == 409 and set(again.json()["error"]) == {
        "message",
        "field",
        "details",
    }
    asked = Question.objects.in_bulk(paper.questions)
    first = paper.questions[0]
    url = f"{BASE}/papers/{paper.pk}/answers/{first}"
    saved = _send(client, "put", url, {"chosen": asked[first].answer}, alice)
    assert saved.status_code == 200 and saved.json()["chosen"] == asked[first].answer
    bad = _send(client, "put", url, {"chosen": [7]}, alice)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == f"q-{first}"
    marked = _send(client, "post", f"{BASE}/papers/{paper.pk}/submit", {}, alice).json()
    assert marked["status"] == "submitted" and marked["score"] == "10.00"
    # Handed in but the quiz still open: no answers given away, nor which were right (a
    # true/false question's mark is its answer).
    assert all(q["answer"] is None and q["correct"] is None for q in marked["questions"])
    shown = client.get(f"{BASE}/papers/{paper.pk}", **alice).json()["questions"]
    assert all(q["correct"] is None for q in shown)
    late = _send(client, "put", url, {"chosen": [1]}, alice)
    assert late.status_code == 409
    results = client.get(f"{BASE}/quizzes/{s.quiz.pk}/results", **_auth(s.staff)).json()
    by_worker = {r["worker"]: r for r in results["results"]}
    assert by_worker[people["alice"].pk]["score"] == "10.00"
    assert by_worker[people["bob"].pk]["status"] == "issued"


def test_papers_and_results_are_scoped(client, tree, people, make_user):
    s = setup(tree, people)
    paper = s.paper()
    sam = other_street_staff(tree, make_user)
    for user in (people["bob"], s.staff, sam):
        auth = _auth(user)
        assert client.get(f"{BASE}/papers/{paper.pk}", **auth).status_code == 404
        assert _send(client, "post", f"{BASE}/papers/{paper.pk}/start", {}, auth).status_code == 404
        answer = f"{BASE}/papers/{paper.pk}/answers/{paper.questions[0]}"
        assert _send(client, "put", answer, {"chosen": [0]}, auth).status_code == 404
    for user in (people["alice"], sam):
        response = client.get(f"{BASE}/quizzes/{s.quiz.pk}/results", **_auth(user))
        assert response.status_code == 404
    assert client.get(f"{BASE}/papers").status_code == 401
