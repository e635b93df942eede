"""coupons of the promotions app."""

__all__: list[str] = []
