"""Portal pages for accounts, invitations, accountability and objections (issue #6)."""

app_name = "accounting"
urlpatterns: list = []
