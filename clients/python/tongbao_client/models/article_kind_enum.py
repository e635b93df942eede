from typing import Literal

ArticleKindEnum = Literal["SECURITY_TIP", "TUTORIAL"]

ARTICLE_KIND_ENUM_VALUES: set[ArticleKindEnum] = {
    "SECURITY_TIP",
    "TUTORIAL",
}


def check_article_kind_enum(value: str) -> ArticleKindEnum:
    if value in ARTICLE_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ARTICLE_KIND_ENUM_VALUES!r}")
