from delbar.accounts.roles import roles_of


def navigation(request):
    roles = roles_of(request.user)
    return {"is_curator": roles.is_curator, "is_editor": roles.is_editor}
