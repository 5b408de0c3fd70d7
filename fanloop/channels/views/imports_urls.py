from django.urls import URLPattern

W = "w/<slug:slug>/publishing/"

urlpatterns: list[URLPattern] = []
