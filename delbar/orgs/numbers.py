"""Checks for Norwegian organisation numbers (Brønnøysundregistrene's mod-11 rule)."""

ORG_NUMBER_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def is_valid_org_number(value: str) -> bool:
    """True for nine digits whose last digit is the mod-11 check digit of the first eight."""
    if len(value) != 9 or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, ORG_NUMBER_WEIGHTS, strict=False))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[8])
