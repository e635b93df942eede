"""Customer API of promotions (no trailing slash, as issue 16 makes every path)."""

from django.urls import URLPattern, URLResolver, path

from promotions.api.views import CouponListApi, CouponRedeemApi, OfferListApi, PointsApi, PointsRedeemApi
from promotions.api.views_points import PointsOfferListApi, PointsOfferRedeemApi
from promotions.api.views_social import LotteryEntryListApi, ReferralApi, ReferralListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("promotions/offers", OfferListApi.as_view(), name="promotions-offers"),
    path("promotions/coupons", CouponListApi.as_view(), name="promotions-coupons"),
    path("promotions/coupons/redeem", CouponRedeemApi.as_view(), name="promotions-coupon-redeem"),
    path("promotions/points", PointsApi.as_view(), name="promotions-points"),
    path("promotions/points/redeem", PointsRedeemApi.as_view(), name="promotions-points-redeem"),
    path("promotions/points/offers", PointsOfferListApi.as_view(), name="promotions-points-offers"),
    path(
        "promotions/points/offers/<uuid:public_id>/redeem",
        PointsOfferRedeemApi.as_view(),
        name="promotions-points-offer-redeem",
    ),
    path("promotions/referral", ReferralApi.as_view(), name="promotions-referral"),
    path("promotions/referral/referees", ReferralListApi.as_view(), name="promotions-referrals"),
    path("promotions/lottery/entries", LotteryEntryListApi.as_view(), name="promotions-lottery-entries"),
]
