"""Demo data of messages and products (``manage.py seed_demo``): the bank's security tips and a
tutorial as published articles, the product catalogue, and a security notice in every demo
customer's inbox. Idempotent: rows are found by slug / code / title and left alone when present.

The seeded articles are the bank's own content (no author, no approver: they stand for articles
approved before the wallet existed); everything written in the admin goes through the two-person
approval."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from feedback.models_messages import Article, Message, Product

ARTICLES = [
    (
        "never-share-your-otp",
        Article.Kind.SECURITY_TIP,
        "验证码就是钥匙：任何人索要都是诈骗",
        "Your one-time code is a key: anyone asking for it is a fraudster",
        "银行、通宝钱包客服、警察和快递员都不会向您索要短信验证码或支付密码。\n"
        "验证码只在您本人操作时输入到通宝钱包里，不要告诉任何人，也不要在电话里念出来。\n"
        "如果有人以“账户异常”“退款”“解冻”为由索要验证码，请立即挂断，并通过钱包内的客服入口或拨打银行官方客服电话核实。",
        "The bank, Tongbao customer service, the police and couriers never ask for your SMS code or payment PIN.\n"
        "Only type a code into the Tongbao app when you are the one making the payment; never read it out.\n"
        "If someone asks for a code because your account is 'abnormal', for a 'refund' or to 'unfreeze' it, "
        "hang up and call the bank's official number or use the in-app service desk.",
    ),
    (
        "fake-customer-service-refund",
        Article.Kind.SECURITY_TIP,
        "识别冒充客服的“退款”诈骗",
        "Spotting the fake customer-service 'refund' scam",
        "骗子会冒充电商或快递客服，称您的商品有质量问题要“双倍退款”，再引导您打开“备用金”“借款”页面或共享屏幕。\n"
        "真正的退款会原路退回，无需您转账、贷款或提供验证码。\n"
        "遇到这类电话：不转账、不共享屏幕、不下载陌生App，在官方App里自行查询订单。",
        "Fraudsters pose as shop or courier service staff, offer a 'double refund' for a faulty item and lead "
        "you to a loan page or ask you to share your screen.\n"
        "A real refund returns to where you paid from; it never needs a transfer, a loan or a code from you.\n"
        "On such a call: transfer nothing, share no screen, install no app; check the order in the official app.",
    ),
    (
        "no-safe-account",
        Article.Kind.SECURITY_TIP,
        "世上没有“安全账户”",
        "There is no such thing as a 'safe account'",
        "公检法机关不会通过电话办案，更不会要求您把钱转到所谓“安全账户”“清查账户”。\n"
        "凡是要求转账到“安全账户”的，一律是诈骗。请拨打110或96110反诈专线咨询。",
        "Police, prosecutors and courts do not handle cases by phone and never ask you to move money to a "
        "'safe account' or an 'audit account'.\n"
        "Any request to transfer to a 'safe account' is fraud. Call 110 or the 96110 anti-fraud line.",
    ),
    (
        "check-before-you-scan",
        Article.Kind.SECURITY_TIP,
        "扫码付款前，先核对商户名称",
        "Check the merchant's name before you pay by QR code",
        "付款前，通宝钱包会显示二维码所属的商户名称。请确认与您面前的商家一致再输入金额和支付密码。\n"
        "贴在原码上的“覆盖码”、陌生人发来的收款码都可能把钱转给骗子。",
        "Before you pay, Tongbao shows the name of the merchant the QR code belongs to. Make sure it is the "
        "shop in front of you before entering the amount and your PIN.\n"
        "A sticker pasted over the shop's code, or a code sent by a stranger, can send your money to a fraudster.",
    ),
    (
        "how-to-top-up",
        Article.Kind.TUTORIAL,
        "如何从银行卡充值到钱包",
        "How to top up your wallet from a bank card",
        "1. 在“我的”里绑定一张本人名下的银行卡。\n2. 在首页点“充值”，选择银行卡并输入金额。\n"
        "3. 输入支付密码确认。到账后余额立即可用，交易记录里可以看到这笔充值。",
        "1. Link a bank card in your own name under 'Me'.\n2. Tap 'Top up' on the home screen, choose the card "
        "and enter the amount.\n3. Confirm with your payment PIN. The balance is usable at once and the top-up "
        "shows in your history.",
    ),
]

PRODUCTS = [
    (
        "DEP-3Y",
        Product.Category.DEPOSIT,
        "三年期整存整取定期存款",
        "3-year fixed-term deposit",
        "一次存入、到期支取，利率在存入时锁定；50元起存。",
        "Deposit once, withdraw at maturity, rate fixed on the day you deposit; from CNY 50.",
        {},
        10,
    ),
    (
        "WM-STEADY",
        Product.Category.WEALTH,
        "稳盈理财（R2 中低风险）",
        "Steady Income wealth product (R2, low to medium risk)",
        "投资于高等级债券和货币市场工具；非存款产品，不保本，购买前需完成风险测评。",
        "Invests in high-grade bonds and money-market instruments; not a deposit, capital not guaranteed; a risk "
        "assessment is required before purchase.",
        {"kyc_tiers": [2]},
        20,
    ),
    (
        "CL-EASY",
        Product.Category.CONSUMER_LOAN,
        "随心贷个人消费贷款",
        "Easy personal consumer loan",
        "用于个人消费，额度和利率由网点按贷款流程审批确定；本页面仅登记意向。",
        "For personal spending; the amount and rate are decided by the branch's loan process; this page only "
        "records your interest.",
        {"customer_types": ["INDIVIDUAL"], "kyc_tiers": [2]},
        30,
    ),
    (
        "SB-OPS",
        Product.Category.SMALL_BUSINESS_LOAN,
        "小微经营贷",
        "Small-business operating loan",
        "为个体工商户和小微企业提供经营周转资金，客户经理将上门了解经营情况。",
        "Working capital for sole traders and small businesses; a relationship manager visits to understand "
        "your business.",
        {"customer_types": ["SMALL_BUSINESS"]},
        40,
    ),
]

WELCOME_TITLE = "安全提示：验证码请勿告诉任何人"


def seed(stdout: TextIO) -> None:
    now = timezone.now()
    created = 0
    for slug, kind, title_zh, title_en, body_zh, body_en in ARTICLES:
        _article, made = Article.objects.get_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "title_zh": title_zh,
                "title_en": title_en,
                "body_zh": body_zh,
                "body_en": body_en,
                "status": Article.Status.PUBLISHED,
                "published_at": now,
            },
        )
        created += made
    for code, category, name_zh, name_en, desc_zh, desc_en, eligibility, order in PRODUCTS:
        Product.objects.get_or_create(
            code=code,
            defaults={
                "category": category,
                "name_zh": name_zh,
                "name_en": name_en,
                "description_zh": desc_zh,
                "description_en": desc_en,
                "eligibility": eligibility,
                "sort_order": order,
            },
        )
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is not None and not Message.objects.filter(title_zh=WELCOME_TITLE).exists():
        # A SECURITY notice to every customer, due now: the beat dispatcher delivers it on its next tick.
        Message.objects.create(
            kind=Message.Kind.SECURITY,
            title_zh=WELCOME_TITLE,
            title_en="Security tip: never tell anyone your one-time code",
            body_zh="通宝钱包和银行工作人员不会向您索要验证码或支付密码。",
            body_en="Tongbao and bank staff never ask for your one-time code or payment PIN.",
            article=Article.objects.get(slug="never-share-your-otp"),
            audience=Message.Audience.SEGMENT,
            segment={},
            send_at=now,
            status=Message.Status.SCHEDULED,
            created_by=admin,
        )
    stdout.write(
        f"Messages demo: {created} article(s) published, {Product.objects.count()} product(s), "
        "a security notice scheduled for every customer\n"
    )
