from typing import Literal

ArticlesListKind = Literal["SECURITY_TIP", "TUTORIAL"]

ARTICLES_LIST_KIND_VALUES: set[ArticlesListKind] = {
    "SECURITY_TIP",
    "TUTORIAL",
}


def check_articles_list_kind(value: str) -> ArticlesListKind:
    if value in ARTICLES_LIST_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ARTICLES_LIST_KIND_VALUES!r}")
