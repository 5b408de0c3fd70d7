from django.urls import path

from fanloop.campaigns.views import documents, items, pages

W = "w/<slug:slug>/"
C = W + "campaigns/<int:pk>/"

urlpatterns = [
    path(W + "campaigns/", pages.campaign_list, name="campaign_list"),
    path(W + "campaigns/new/", pages.campaign_new, name="campaign_new"),
    path(C, pages.campaign_tab, name="campaign_detail"),
    path(C + "edit/", pages.campaign_edit, name="campaign_edit"),
    path(C + "tab/<str:tab>/", pages.campaign_tab, name="campaign_tab"),
    path(C + "transition/<str:name>/", pages.campaign_transition, name="campaign_transition"),
    path(C + "goals/<int:goal_pk>/measurements/", pages.measurement_add, name="measurement_add"),
    path(C + "budget/<int:line_pk>/spends/", pages.spend_add, name="spend_add"),
    path(C + "feasibility/", pages.feasibility_save, name="feasibility_save"),
    path(C + "retrospective/", pages.retrospective_save, name="retrospective_save"),
    path(C + "items/<str:kind>/new/", items.item_save, name="item_new"),
    path(C + "items/<str:kind>/<int:item_pk>/", items.item_save, name="item_edit"),
    path(C + "items/<str:kind>/<int:item_pk>/delete/", items.item_delete, name="item_delete"),
    path(C + "documents/", documents.campaign_upload, name="campaign_upload"),
    path(W + "documents/", documents.library, name="documents"),
    path(W + "documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path(
        W + "documents/<int:pk>/v<int:number>/",
        documents.document_download,
        name="document_download",
    ),
    path("my/tasks/", pages.my_tasks, name="my_tasks"),
    path("my/tasks/<int:pk>/status/", pages.task_status, name="task_status"),
]
