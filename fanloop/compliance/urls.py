from django.urls import path

from fanloop.compliance import views

# Under content/ so the navigation marks Content, where these pages belong.
W = "w/<slug:slug>/content/compliance/"

urlpatterns = [
    path(W + "terms/", views.terms, name="compliance_terms"),
    path(W + "terms/add/", views.term_add, name="compliance_term_add"),
    path(W + "terms/<int:term_id>/remove/", views.term_remove, name="compliance_term_remove"),
    path(W + "check/", views.check, name="compliance_check"),
]
