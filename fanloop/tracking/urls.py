"""Tracking link, partner and promo code pages; fanloop/urls.py includes them at the root."""

from django.urls import URLPattern, path

from fanloop.tracking.views import codes, links, partners

W = "w/<slug:slug>/tracking/"
L = W + "links/"

urlpatterns: list[URLPattern] = [
    path(L, links.link_list, name="tracking_links"),
    path(L + "new/", links.link_new, name="tracking_link_new"),
    path(L + "bulk/", links.link_bulk, name="tracking_link_bulk"),
    path(L + "qr.zip", links.links_qr_zip, name="tracking_links_qr_zip"),
    path(L + "<int:pk>/", links.link_detail, name="tracking_link"),
    path(L + "<int:pk>/edit/", links.link_edit, name="tracking_link_edit"),
    path(L + "<int:pk>/archive/", links.link_archive, name="tracking_link_archive"),
    path(L + "<int:pk>/qr.png", links.link_qr_png, name="tracking_link_qr_png"),
    path(L + "<int:pk>/qr.svg", links.link_qr_svg, name="tracking_link_qr_svg"),
    path(W + "partners/", partners.partner_list, name="tracking_partners"),
    path(W + "partners/new/", partners.partner_new, name="tracking_partner_new"),
    path(W + "partners/<int:pk>/", partners.partner_edit, name="tracking_partner_edit"),
    path(W + "partners/<int:pk>/delete/", partners.partner_delete, name="tracking_partner_delete"),
    path(W + "codes/", codes.code_list, name="tracking_codes"),
    path(W + "codes/new/", codes.code_new, name="tracking_code_new"),
    path(W + "codes/<int:pk>/", codes.code_edit, name="tracking_code_edit"),
    path(W + "codes/<int:pk>/delete/", codes.code_delete, name="tracking_code_delete"),
]
