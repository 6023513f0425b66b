app_name = "inbox"

urlpatterns: list = []
api_urlpatterns: list = []
