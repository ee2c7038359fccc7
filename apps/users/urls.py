from django.urls import path

from . import views

urlpatterns = [
    path("users", views.UsersView.as_view()),
    path("users/invite", views.InviteView.as_view()),
    path("users/invite/<str:token>", views.AcceptInviteView.as_view()),
    path("users/<str:ids>", views.UserView.as_view()),
    path("users/<str:ids>/tracking/page", views.TrackingPageView.as_view()),
    path("users/<str:ids>/activate_2fa", views.ActivateTwoFactorView.as_view()),
    path("users/<str:ids>/revisions", views.UserRevisionsView.as_view()),
    path("users/<str:ids>/revisions/<str:offset>", views.UserRevisionsView.as_view()),
]
