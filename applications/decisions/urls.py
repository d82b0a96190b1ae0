"""Office pages for allocation, decisions and the Commission's advice, under /kantoor/budget/ (URL namespace
``budgets``, as the templates name it)."""

from django.urls import path

from . import advance_views, amend_views, views

app_name = "budgets"
urlpatterns = [
    path("", views.index, name="index"),
    path("tijdvak/<int:number>/", views.allocation_page, name="allocation"),
    path("tijdvak/<int:number>/voorstel/", views.allocation_propose, name="allocation-propose"),
    path("tijdvak/<int:number>/allocatie/<int:pk>/vaststellen/", views.allocation_confirm, name="allocation-confirm"),
    path("tijdvak/<int:number>/allocatie/<int:pk>.csv", views.allocation_csv, name="allocation-csv"),
    path("tijdvak/<int:number>/allocatie/<int:pk>/voorbeeldbrief/<slug:kind>/", views.allocation_letter_preview,
         name="allocation-letter-preview"),
    path("commissie/", views.commission_page, name="commission"),
    path("tijdvak/<int:number>/voorschotten/", advance_views.runs_page, name="advance-runs"),
    path("tijdvak/<int:number>/voorschotten/voorstel/", advance_views.run_propose, name="advance-run-propose"),
    path("voorschotrun/<int:pk>/", advance_views.run_page, name="advance-run"),
    path("voorschotrun/<int:pk>/voorbeeldbrief/<slug:variant>/", advance_views.run_letter_preview,
         name="advance-run-letter-preview"),
    path("voorschotrun/<int:pk>/vaststellen/", advance_views.run_confirm, name="advance-run-confirm"),
    path("betaalbestand/<int:pk>.xml", advance_views.batch_sepa, name="payment-batch-sepa"),
    # R51: lowering; R52: redistribution rounds.
    path("tijdvak/<int:number>/bijstelling/", amend_views.lowering_page, name="lowering"),
    path("tijdvak/<int:number>/bijstelling/voorstel/", amend_views.lowering_propose, name="lowering-propose"),
    path("tijdvak/<int:number>/bijstelling/voorbeeldbrief/<slug:variant>/", amend_views.lowering_letter_preview,
         name="lowering-letter-preview"),
    path("tijdvak/<int:number>/bijstelling/vaststellen/", amend_views.lowering_confirm, name="lowering-confirm"),
    path("tijdvak/<int:number>/herverdeling/", amend_views.rounds_page, name="rounds"),
    path("ronde/<int:pk>/", amend_views.round_page, name="round"),
    path("ronde/<int:pk>/voorstel/", amend_views.round_propose, name="round-propose"),
    path("ronde/<int:pk>/voorbeeldbrief/<slug:variant>/", amend_views.round_letter_preview,
         name="round-letter-preview"),
    path("ronde/<int:pk>/vaststellen/", amend_views.round_confirm, name="round-confirm"),
    path(
        "tijdvak/<int:number>/aanhouding/<slug:region_code>/vervallen/",
        views.holdback_forfeit,
        name="holdback-forfeit",
    ),
]
