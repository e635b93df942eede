from typing import Literal

FeedbackCategoryEnum = Literal["COMPLAINT", "PRAISE", "PROBLEM", "SUGGESTION"]

FEEDBACK_CATEGORY_ENUM_VALUES: set[FeedbackCategoryEnum] = {
    "COMPLAINT",
    "PRAISE",
    "PROBLEM",
    "SUGGESTION",
}


def check_feedback_category_enum(value: str) -> FeedbackCategoryEnum:
    if value in FEEDBACK_CATEGORY_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_CATEGORY_ENUM_VALUES!r}")
