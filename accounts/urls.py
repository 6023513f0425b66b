from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.UserListView.as_view(), name="user-list"),
    path("users/add/", views.UserCreateView.as_view(), name="user-create"),
    path("users/<int:pk>/role/", views.UserRoleView.as_view(), name="user-role"),
    path(
        "users/<int:pk>/deactivate/",
        views.UserActiveView.as_view(is_active=False),
        name="user-deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.UserActiveView.as_view(is_active=True),
        name="user-reactivate",
    ),
    path("account/language/", views.LanguageView.as_view(), name="language"),
]
