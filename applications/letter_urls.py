"""Portal and office pages for letters (letters issue #5)."""

app_name = "letters"
urlpatterns: list = []
