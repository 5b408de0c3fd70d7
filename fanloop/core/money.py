"""Money is an integer number of fen; these helpers parse and show it."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FEN_PER_YUAN = 100


def yuan_to_fen(text: str | int | Decimal) -> int:
    """Parse '1,234.5' / '¥1234.50' / 1234 (yuan) into fen; more than 2 decimals is an error."""
    raw = str(text).strip().replace(",", "").replace("¥", "").replace("￥", "")
    if raw.endswith("元"):
        raw = raw[:-1]
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise ValidationError(_("%(value)s is not an amount of money.") % {"value": text}) from exc
    if not amount.is_finite():
        raise ValidationError(_("%(value)s is not an amount of money.") % {"value": text})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Amounts have at most 2 decimals (fen)."))
    return int((amount * FEN_PER_YUAN).to_integral_value(rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def format_fen(fen: int, currency: str = "CNY") -> str:
    sign = "-" if fen < 0 else ""
    yuan = fen_to_yuan(abs(fen))
    symbol = "¥" if currency == "CNY" else f"{currency} "
    return f"{sign}{symbol}{yuan:,.2f}"
