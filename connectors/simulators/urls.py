app_name = "simulators"

urlpatterns: list = []
