"""Check digits for the identifiers the synthetic records carry: NHS numbers (modulus 11) and
unique pupil numbers (the DfE check letter)."""

from __future__ import annotations

# Synthetic NHS numbers start 999: that range is never issued to patients.
SYNTHETIC_NHS_PREFIX = "999"

_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check_digit(first_nine: str) -> int | None:
    """The tenth digit of an NHS number, or None when no valid number starts with these nine."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("An NHS number check digit needs exactly nine digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_is_valid(number: str) -> bool:
    if len(number) != 10 or not number.isdigit():
        return False
    return nhs_check_digit(number[:9]) == int(number[9])


def upn_check_letter(last_twelve: str) -> str:
    """The check letter that starts a unique pupil number (DfE: weights 2 to 13, modulus 23)."""
    if len(last_twelve) != 12 or not last_twelve.isdigit():
        raise ValueError("A UPN check letter needs the twelve characters that follow it")
    total = sum(
        int(digit) * weight for digit, weight in zip(last_twelve, range(2, 14), strict=True)
    )
    return _UPN_CHECK_LETTERS[total % 23]


def upn_is_valid(upn: str) -> bool:
    return len(upn) == 13 and upn[1:].isdigit() and upn[0] == upn_check_letter(upn[1:])
