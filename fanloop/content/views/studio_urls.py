"""The content studio's pages; included at the site root."""

from django.urls import URLPattern, path

from fanloop.content.views import items, library, media, variants

W = "w/<slug:slug>/content/"
V = W + "<int:item_pk>/variants/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(W, items.content_list, name="content_list"),
    path(W + "new/", items.content_new, name="content_new"),
    path(W + "review/", items.review_queue, name="review_queue"),
    path(W + "<int:item_pk>/", items.content_item, name="content_item"),
    path(W + "<int:item_pk>/edit/", items.content_item_edit, name="content_item_edit"),
    path(W + "<int:item_pk>/variants/add/", items.content_variant_add, name="content_variant_add"),
    path(V, variants.variant_detail, name="variant_detail"),
    path(V + "save/", variants.variant_save, name="variant_save"),
    path(V + "check/", variants.variant_check, name="variant_check"),
    path(V + "transition/<str:name>/", variants.variant_transition, name="variant_transition"),
    path(V + "comments/", variants.variant_comment, name="variant_comment"),
    path(V + "delete/", variants.variant_delete, name="variant_delete"),
    path(V + "diff/", variants.variant_diff, name="variant_diff"),
    path(V + "versions/", variants.variant_diff, name="variant_versions"),
    path(W + "media/", media.media_library, name="media_library"),
    path(W + "media/<int:pk>/edit/", media.media_edit, name="media_edit"),
    path(W + "media/<int:pk>/delete/", media.media_delete, name="media_delete"),
    path(W + "media/<int:pk>/file/", media.media_file, name="media_file"),
    path(W + "media/<int:pk>/thumb/", media.media_thumb, name="media_thumb"),
    path(W + "templates/", library.content_templates, name="content_templates"),
    path(W + "templates/new/", library.content_template_edit, name="content_template_edit"),
    path(W + "templates/<int:pk>/", library.content_template_edit, name="content_template_edit"),
    path(
        W + "templates/<int:pk>/delete/",
        library.content_template_delete,
        name="content_template_delete",
    ),
    path(W + "settings/", library.content_settings, name="content_settings"),
]
