"""The networks pages (mounted by delbar/urls.py)."""

urlpatterns = []
