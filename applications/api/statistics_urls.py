"""The ministry's tables (statistics issue #7)."""

urlpatterns: list = []
