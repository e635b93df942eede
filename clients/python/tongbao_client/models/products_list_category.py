from typing import Literal

ProductsListCategory = Literal["CONSUMER_LOAN", "DEPOSIT", "SMALL_BUSINESS_LOAN", "WEALTH"]

PRODUCTS_LIST_CATEGORY_VALUES: set[ProductsListCategory] = {
    "CONSUMER_LOAN",
    "DEPOSIT",
    "SMALL_BUSINESS_LOAN",
    "WEALTH",
}


def check_products_list_category(value: str) -> ProductsListCategory:
    if value in PRODUCTS_LIST_CATEGORY_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PRODUCTS_LIST_CATEGORY_VALUES!r}")
