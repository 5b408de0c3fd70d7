from django.urls import URLPattern, path

from fanloop.content.views import calendar

W = "w/<slug:slug>/"

urlpatterns: list[URLPattern] = [
    path(W + "calendar/", calendar.calendar_page, name="calendar"),
    path(W + "calendar/move/", calendar.calendar_move, name="calendar_move"),
    path(W + "calendar/bulk/", calendar.calendar_bulk, name="calendar_bulk"),
    path(W + "calendar/best-times/", calendar.best_times_page, name="best_times"),
]
