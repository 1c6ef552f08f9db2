"""URLs of the knowledge test (测), included by the assessment app's URLconf under
/assessment/ (its namespace "assessment"); every name starts with quiz_."""

from django.urls import path

from civicgrid.assessment import quiz_views as views

urlpatterns = [
    # The worker's papers and one paper (start page, questions, result).
    path("quiz/", views.mine, name="quiz_mine"),
    path("quiz/papers/<int:pk>/", views.paper, name="quiz_paper"),
    path("quiz/papers/<int:pk>/start/", views.start, name="quiz_start"),
    path("quiz/papers/<int:pk>/answer/", views.answer, name="quiz_answer"),
    path("quiz/papers/<int:pk>/submit/", views.submit, name="quiz_submit"),
    # The bank of a unit (a street's, a district's).
    path("quiz/bank/template.xlsx", views.bank_template, name="quiz_template"),
    path("quiz/bank/<str:code>/", views.bank, name="quiz_bank"),
    path("quiz/bank/<str:code>/new/", views.question_new, name="quiz_question_new"),
    path("quiz/bank/<str:code>/import/", views.bank_import, name="quiz_import"),
    path("quiz/questions/<int:pk>/", views.question_edit, name="quiz_question_edit"),
    # A plan's test: set up, issue, results.
    path("quiz/plans/<int:plan_pk>/", views.setup, name="quiz_setup"),
    path("quiz/<int:pk>/issue/", views.issue, name="quiz_issue"),
    path("quiz/<int:pk>/results/", views.results, name="quiz_results"),
]
