"""Who to tell: the people behind an organization, and the curators."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from delbar.accounts.models import Membership, Role

ACTIVE = Membership.Status.ACTIVE


def editors_of(*organization_ids):
    return get_user_model().objects.filter(is_active=True, memberships__organization_id__in=organization_ids,
                                           memberships__role__in=[Role.EDITOR, Role.ORG_ADMIN],
                                           memberships__status=ACTIVE).distinct()


def members_of(*organization_ids):
    return get_user_model().objects.filter(is_active=True, memberships__organization_id__in=organization_ids,
                                           memberships__status=ACTIVE).distinct()


def org_admins_of(*organization_ids):
    return get_user_model().objects.filter(is_active=True, memberships__organization_id__in=organization_ids,
                                           memberships__role=Role.ORG_ADMIN, memberships__status=ACTIVE).distinct()


def delbar_admins():
    return get_user_model().objects.filter(Q(memberships__role=Role.ADMIN, memberships__status=ACTIVE)
                                           | Q(is_superuser=True), is_active=True).distinct()


def curators():
    return get_user_model().objects.filter(
        Q(memberships__role__in=[Role.CURATOR, Role.ADMIN], memberships__status=ACTIVE) | Q(is_superuser=True),
        is_active=True).distinct()
