from django.urls import path

from . import views

urlpatterns = [
    path("scim/v2/Users", views.UsersView.as_view()),
    path("scim/v2/Users/<str:scim_id>", views.UserView.as_view()),
    path("scim/v2/Groups", views.GroupsView.as_view()),
    path("scim/v2/Groups/<str:scim_id>", views.GroupView.as_view()),
    path("scim/v2/ServiceProviderConfig", views.ServiceProviderConfigView.as_view()),
]
