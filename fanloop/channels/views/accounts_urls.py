"""The accounts pages, under the publishing area of a workspace."""

from django.urls import URLPattern, path

from fanloop.channels.views import accounts

W = "w/<slug:slug>/publishing/"
A = W + "accounts/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(W + "accounts/", accounts.account_list, name="channel_accounts"),
    path(W + "accounts/new/", accounts.account_new, name="channel_account_new"),
    path(A, accounts.account_detail, name="channel_account"),
    path(A + "details/", accounts.account_details_save, name="channel_account_details"),
    path(A + "credentials/", accounts.account_credentials_save, name="channel_account_credentials"),
    path(A + "disconnect/", accounts.account_disconnect, name="channel_account_disconnect"),
]
