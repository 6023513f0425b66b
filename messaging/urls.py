app_name = "messaging"

urlpatterns: list = []
api_urlpatterns: list = []
