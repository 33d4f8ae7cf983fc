from django.urls import path

from harbour.identity import views

app_name = "identity"

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pair_id>/", views.review_pair, name="review-pair"),
    path("people/<int:number>/", views.person, name="person"),
    path("people/<int:number>/merge/", views.person_merge, name="person-merge"),
    path("people/<int:number>/split/", views.person_split, name="person-split"),
    path("import/", views.import_records, name="import"),
]
