from typing import Literal

BankProductCategoryEnum = Literal["CONSUMER_LOAN", "DEPOSIT", "SMALL_BUSINESS_LOAN", "WEALTH"]

BANK_PRODUCT_CATEGORY_ENUM_VALUES: set[BankProductCategoryEnum] = {
    "CONSUMER_LOAN",
    "DEPOSIT",
    "SMALL_BUSINESS_LOAN",
    "WEALTH",
}


def check_bank_product_category_enum(value: str) -> BankProductCategoryEnum:
    if value in BANK_PRODUCT_CATEGORY_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BANK_PRODUCT_CATEGORY_ENUM_VALUES!r}")
