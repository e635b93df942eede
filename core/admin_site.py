"""The staff admin site: password plus a TOTP code, titled for the bank."""

from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class TongbaoAdminSite(OTPAdminSite):
    site_header = _("Tongbao Wallet Back Office")
    site_title = _("Tongbao Back Office")
    index_title = _("Branch operations")
    enable_nav_sidebar = True
