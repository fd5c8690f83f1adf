"""The dialogues pages (mounted by delbar/urls.py)."""

urlpatterns = []
