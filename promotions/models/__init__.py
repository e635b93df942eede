"""Models of the promotions app, one module per subdomain. Append one import line per module."""

from promotions.models.campaigns import *  # noqa: F403
from promotions.models.coupons import *  # noqa: F403
from promotions.models.instant import *  # noqa: F403
from promotions.models.lottery import *  # noqa: F403
from promotions.models.points import *  # noqa: F403
from promotions.models.referrals import *  # noqa: F403
from promotions.models.rewards import *  # noqa: F403
