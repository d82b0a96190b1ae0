"""Letter download API (letters issue #5)."""

urlpatterns: list = []
