from typing import Literal

MerchantQrImageFmt = Literal["png", "svg"]

MERCHANT_QR_IMAGE_FMT_VALUES: set[MerchantQrImageFmt] = {
    "png",
    "svg",
}


def check_merchant_qr_image_fmt(value: str) -> MerchantQrImageFmt:
    if value in MERCHANT_QR_IMAGE_FMT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {MERCHANT_QR_IMAGE_FMT_VALUES!r}")
