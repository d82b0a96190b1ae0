"""Office pages for allocation, decisions and the Commission's advice (budgets issue #4)."""

app_name = "budgets"
urlpatterns: list = []
