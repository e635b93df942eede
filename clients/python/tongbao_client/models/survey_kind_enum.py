from typing import Literal

SurveyKindEnum = Literal["CSAT", "NPS"]

SURVEY_KIND_ENUM_VALUES: set[SurveyKindEnum] = {
    "CSAT",
    "NPS",
}


def check_survey_kind_enum(value: str) -> SurveyKindEnum:
    if value in SURVEY_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SURVEY_KIND_ENUM_VALUES!r}")
