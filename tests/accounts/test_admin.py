"""Branch-staff admin: TOTP required, branch scoping, masked data, blind-index search, audited reveal,
counter registration, freeze/close with a reason, KYC tiers, audit log for auditors only."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Branch, Customer, KycTier
from accounts.pii import national_id_index
from core.audit import audit_record
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for, bearer_client
from tests.accounts.factories import bad_checksum, national_id
from tests.factories import BranchFactory, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/customer/"


@pytest.fixture
def branches() -> dict[str, Branch]:
    x = BranchFactory(code="BX001", name="X 分行")
    return {"x": x, "x_sub": BranchFactory(code="BX002", name="X 支行", parent=x), "y": BranchFactory(code="BY001")}


@pytest.fixture
def customers(branches) -> dict[str, Customer]:
    return {
        "x": CustomerFactory(
            home_branch=branches["x"],
            phone="+8613811110001",
            legal_name="张三",
            national_id=national_id("11010519900307123"),
            national_id_index=national_id_index(national_id("11010519900307123")),
        ),
        "x_sub": CustomerFactory(home_branch=branches["x_sub"], phone="+8613811110002"),
        "y": CustomerFactory(home_branch=branches["y"], phone="+8613811110003"),
    }


def _change_url(customer: Customer, suffix: str = "change/") -> str:
    return f"{CHANGELIST}{customer.pk}/{suffix}"


# --- TOTP ------------------------------------------------------------------------------------


def test_staff_without_a_verified_totp_device_cannot_reach_admin_pages(customers):
    teller = StaffFactory(roles=["TELLER"])
    client = admin_client_for(teller, verified=False)

    for url in ("/admin/", CHANGELIST, _change_url(customers["x"]), "/admin/core/auditevent/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_real_login_form_needs_password_and_a_current_totp_code():
    teller = StaffFactory(roles=["TELLER"])
    device = TOTPDevice.objects.create(user=teller, name="phone", confirmed=True)
    client = Client()
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    without = client.post("/admin/login/", {"username": teller.username, "password": "Staff-Password-2026"})
    assert without.status_code == 200
    assert client.get("/admin/").status_code == 302

    with_code = client.post(
        "/admin/login/?next=/admin/",
        {"username": teller.username, "password": "Staff-Password-2026", "otp_token": token},
    )

    assert with_code.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_verified_staff_reaches_the_admin():
    client = admin_client_for(StaffFactory(roles=["TELLER"]))

    assert client.get("/admin/").status_code == 200


# --- scoping ---------------------------------------------------------------------------------


def test_teller_sees_own_branch_and_sub_branches_only(branches, customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))

    listed = client.get(CHANGELIST)
    foreign_change = client.get(_change_url(customers["y"]))
    foreign_reveal = client.get(_change_url(customers["y"], "reveal/"))

    assert listed.status_code == 200
    shown = {c.pk for c in listed.context["cl"].result_list}
    assert shown == {customers["x"].pk, customers["x_sub"].pk}
    assert foreign_change.status_code == 302 and foreign_change["Location"] == "/admin/"
    assert foreign_reveal.status_code == 403  # tellers may not reveal at all
    assert client.get(_change_url(customers["x_sub"])).status_code == 200


def test_teller_of_branch_y_never_sees_branch_x(branches, customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["y"]))

    listed = client.get(CHANGELIST)

    assert {c.pk for c in listed.context["cl"].result_list} == {customers["y"].pk}
    assert client.get(_change_url(customers["x"])).status_code == 302
    assert client.get(f"{CHANGELIST}?q=13811110001").context["cl"].result_list.count() == 0


def test_staff_without_a_branch_sees_no_customers(customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"]))

    assert client.get(CHANGELIST).context["cl"].result_list.count() == 0


@pytest.mark.parametrize("role", ["RISK_OFFICER", "AUDITOR", "ADMINISTRATOR"])
def test_bank_wide_roles_see_every_branch(branches, customers, role):
    client = admin_client_for(StaffFactory(roles=[role], branch=branches["x"]))

    assert client.get(CHANGELIST).context["cl"].result_list.count() == 3


# --- masking and search -----------------------------------------------------------------------


def test_changelist_and_change_page_show_masked_data_never_plaintext_or_ciphertext(branches, customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))

    pages = client.get(CHANGELIST).content.decode() + client.get(_change_url(customers["x"])).content.decode()

    assert "138****0001" in pages and "张*" in pages and "1101**********" in pages
    assert "13811110001" not in pages and "张三" not in pages
    assert "110105199003071" not in pages
    assert "gAAAA" not in pages


def test_search_by_phone_or_id_uses_the_blind_index(branches, customers):
    client = admin_client_for(StaffFactory(roles=["RISK_OFFICER"]))

    by_phone = client.get(CHANGELIST, {"q": "138 1111 0001"}).context["cl"].result_list
    by_id = client.get(CHANGELIST, {"q": customers["x"].national_id}).context["cl"].result_list
    partial = client.get(CHANGELIST, {"q": "1381111"}).context["cl"].result_list

    assert list(by_phone) == [customers["x"]]
    assert list(by_id) == [customers["x"]]
    assert list(partial) == []


def test_list_filters_by_status_tier_channel_and_branch(branches, customers):
    client = admin_client_for(StaffFactory(roles=["RISK_OFFICER"]))
    Customer.objects.filter(pk=customers["y"].pk).update(status=Customer.Status.FROZEN)

    frozen = client.get(CHANGELIST, {"status__exact": "FROZEN"}).context["cl"].result_list
    by_branch = client.get(CHANGELIST, {"home_branch__id__exact": branches["x"].pk}).context["cl"].result_list

    assert list(frozen) == [customers["y"]]
    assert list(by_branch) == [customers["x"]]
    assert client.get(CHANGELIST, {"onboarding_channel__exact": "APP", "kyc_tier__level__exact": 2}).status_code == 200


# --- reveal -----------------------------------------------------------------------------------


def test_reveal_without_permission_is_refused_and_not_logged(branches, customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))

    response = client.post(_change_url(customers["x"], "reveal/"), {"field": "phone", "reason": "客户来电核实身份"})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="accounts.customer.reveal").exists()


def test_reveal_with_permission_shows_the_value_and_is_audited_with_reason(branches, customers):
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"])
    client = admin_client_for(manager)

    form = client.get(_change_url(customers["x"], "reveal/"))
    no_reason = client.post(_change_url(customers["x"], "reveal/"), {"field": "national_id", "reason": ""})
    revealed = client.post(
        _change_url(customers["x"], "reveal/"),
        {"field": "national_id", "reason": "柜台核对身份证"},
        REMOTE_ADDR="10.1.2.3",
    )

    assert form.status_code == 200
    assert customers["x"].national_id not in no_reason.content.decode()
    assert revealed.status_code == 200
    assert customers["x"].national_id in revealed.content.decode()
    assert "no-store" in revealed["Cache-Control"]
    event = AuditEvent.objects.get(action="accounts.customer.reveal")
    assert (event.actor, event.reason, event.changes, event.ip_address) == (
        manager,
        "柜台核对身份证",
        {"field": "national_id"},
        "10.1.2.3",
    )
    assert event.object_id == str(customers["x"].pk)


def test_reveal_of_another_branchs_customer_is_404_even_with_permission(branches, customers):
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"]))

    response = client.post(_change_url(customers["y"], "reveal/"), {"field": "phone", "reason": "想看看而已啊"})

    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


# --- counter registration -----------------------------------------------------------------------


def test_teller_registers_a_customer_at_the_counter_attributed_to_them_and_their_branch(branches):
    teller = StaffFactory(roles=["TELLER"], branch=branches["x"])
    client = admin_client_for(teller)
    id_number = national_id("11010520000815234")

    page = client.get(f"{CHANGELIST}add/")
    response = client.post(
        f"{CHANGELIST}add/",
        {
            "phone": "13822223333",
            "legal_name": "李娜",
            "national_id": id_number,
            "date_of_birth": "2000-08-15",
            "customer_type": "INDIVIDUAL",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(national_id_index=national_id_index(id_number))
    assert (customer.onboarding_channel, customer.registered_by, customer.home_branch) == (
        Customer.Channel.BRANCH,
        teller,
        branches["x"],
    )
    assert customer.kyc_tier_id == 1 and customer.date_of_birth == date(2000, 8, 15)
    assert not customer.password.startswith("argon2")  # unusable until the customer resets it
    event = AuditEvent.objects.get(action="accounts.customer.register_at_counter")
    assert event.actor == teller and "李娜" not in str(event.changes) and id_number not in str(event.changes)


@pytest.mark.parametrize(
    "change,error",
    [
        ({"national_id": bad_checksum(national_id("11010520000815234"))}, "ID number is not valid"),
        ({"date_of_birth": "2000-08-16"}, "date of birth does not match"),
        ({"phone": "12345"}, "phone number is not valid"),
    ],
)
def test_counter_registration_bad_input_creates_nothing(branches, change, error):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))
    data = {
        "phone": "13822223333",
        "legal_name": "李娜",
        "national_id": national_id("11010520000815234"),
        "date_of_birth": "2000-08-15",
        "customer_type": "INDIVIDUAL",
        **change,
    }

    response = client.post(f"{CHANGELIST}add/", data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Customer.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_customer_service_cannot_register_at_the_counter(branches):
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branches["x"]))

    assert client.get(f"{CHANGELIST}add/").status_code == 403


# --- freeze / unfreeze / close ------------------------------------------------------------------


def test_freeze_needs_a_reason_is_audited_and_the_customer_reads_the_reason(branches, customers):
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"])
    client = admin_client_for(manager)
    url = _change_url(customers["x"], "status/freeze/")

    no_reason = client.post(url, {"reason": ""})
    assert no_reason.status_code == 200 and Customer.objects.get(pk=customers["x"].pk).status == "ACTIVE"

    frozen = client.post(url, {"reason": "疑似电信诈骗，待人工复核"})

    assert frozen.status_code == 302
    assert Customer.objects.get(pk=customers["x"].pk).status == "FROZEN"
    event = AuditEvent.objects.get(action="accounts.customer.freeze")
    assert event.reason == "疑似电信诈骗，待人工复核" and event.changes == {"status": ["ACTIVE", "FROZEN"]}
    me = bearer_client(customers["x"]).get("/api/v1/me").json()
    assert me["status"] == "FROZEN" and me["status_reason"] == "疑似电信诈骗，待人工复核"


def test_close_revokes_the_customers_tokens(branches, customers):
    client = admin_client_for(StaffFactory(roles=["RISK_OFFICER"]))
    app = bearer_client(customers["y"])

    client.post(_change_url(customers["y"], "status/close/"), {"reason": "客户申请销户"})

    assert Customer.objects.get(pk=customers["y"].pk).status == "CLOSED"
    assert app.get("/api/v1/me").status_code == 401


def test_teller_cannot_freeze(branches, customers):
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))

    response = client.post(_change_url(customers["x"], "status/freeze/"), {"reason": "no rights here"})

    assert response.status_code == 403
    assert Customer.objects.get(pk=customers["x"].pk).status == "ACTIVE"


def test_bulk_freeze_action_asks_for_a_reason_then_applies(branches, customers):
    client = admin_client_for(StaffFactory(roles=["RISK_OFFICER"]))
    selected = [customers["x"].pk, customers["y"].pk]

    confirm = client.post(CHANGELIST, {"action": "freeze_selected", "_selected_action": selected})
    applied = client.post(
        CHANGELIST, {"action": "freeze_selected", "_selected_action": selected, "apply": "1", "reason": "批量风险处置"}
    )

    assert confirm.status_code == 200 and b"reason" in confirm.content
    assert applied.status_code == 302
    assert set(Customer.objects.filter(status="FROZEN").values_list("pk", flat=True)) == set(selected)
    assert AuditEvent.objects.filter(action="accounts.customer.freeze").count() == 2


def test_unfreeze_after_freeze(branches, customers):
    client = admin_client_for(StaffFactory(roles=["RISK_OFFICER"]))
    client.post(_change_url(customers["x"], "status/freeze/"), {"reason": "风险核查中"})

    client.post(_change_url(customers["x"], "status/unfreeze/"), {"reason": "核查完毕解除"})

    customer = Customer.objects.get(pk=customers["x"].pk)
    assert customer.status == "ACTIVE" and customer.status_reason == ""


def test_customers_cannot_be_deleted_from_the_admin(customers):
    client = admin_client_for(StaffFactory(is_superuser=True))

    assert client.post(_change_url(customers["x"], "delete/"), {"post": "yes"}).status_code == 403
    assert Customer.objects.filter(pk=customers["x"].pk).exists()


# --- organisation, KYC tiers ---------------------------------------------------------------------


def test_administrator_changes_kyc_tier_limits_with_audit():
    admin_user = StaffFactory(roles=["ADMINISTRATOR"])
    client = admin_client_for(admin_user)
    tier = KycTier.objects.get(level=1)

    response = client.post(
        f"/admin/accounts/kyctier/{tier.pk}/change/",
        {
            "name": "Basic",
            "per_transaction_limit_minor": 300_000,
            "daily_limit_minor": tier.daily_limit_minor,
            "monthly_limit_minor": tier.monthly_limit_minor,
            "balance_cap_minor": tier.balance_cap_minor,
        },
    )

    assert response.status_code == 302
    assert KycTier.objects.get(level=1).per_transaction_limit_minor == 300_000
    event = AuditEvent.objects.get(action="accounts.kyctier.change")
    assert event.actor == admin_user
    assert event.changes == {"per_transaction_limit_minor": [200_000, 300_000]}


def test_teller_cannot_change_kyc_tiers():
    client = admin_client_for(StaffFactory(roles=["TELLER"]))

    assert client.get("/admin/accounts/kyctier/1/change/").status_code == 403


def test_administrator_cannot_assign_a_role_directly_in_the_user_form(branches):
    """staffsod: roles change only through an approved StaffChangeRequest (tests/accounts/test_staff_sod.py)."""
    client = admin_client_for(StaffFactory(roles=["ADMINISTRATOR"]))
    teller = StaffFactory(branch=branches["x"])
    profile = teller.staff_profile

    response = client.post(
        f"/admin/auth/user/{teller.pk}/change/",
        {
            "username": teller.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name="TELLER").pk],
            "staff_profile-TOTAL_FORMS": "1",
            "staff_profile-INITIAL_FORMS": "1",
            "staff_profile-MIN_NUM_FORMS": "0",
            "staff_profile-MAX_NUM_FORMS": "1",
            "staff_profile-0-id": profile.pk,
            "staff_profile-0-user": teller.pk,
            "staff_profile-0-employee_no": profile.employee_no,
            "staff_profile-0-branch": branches["x"].pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(teller.groups.values_list("name", flat=True)) == []
    assert not AuditEvent.objects.filter(action="auth.user.roles").exists()


def test_non_superuser_administrator_cannot_grant_superuser():
    client = admin_client_for(StaffFactory(roles=["ADMINISTRATOR"]))
    target = StaffFactory()

    page = client.get(f"/admin/auth/user/{target.pk}/change/")

    assert "is_superuser" in page.context["adminform"].readonly_fields


# --- audit log admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["TELLER", "ADMINISTRATOR", "RISK_OFFICER"])
def test_only_auditors_read_the_audit_log(role):
    client = admin_client_for(StaffFactory(roles=[role]))

    assert client.get("/admin/core/auditevent/").status_code == 403


def test_auditor_reads_filters_and_exports_csv_and_the_export_is_audited():
    auditor = StaffFactory(roles=["AUDITOR"])
    client = admin_client_for(auditor)
    event = audit_record(action="accounts.customer.freeze", reason='=HYPERLINK("x")')
    audit_record(action="accounts.kyctier.change", reason="limit")

    listed = client.get("/admin/core/auditevent/", {"action": "accounts.customer.freeze"})
    detail = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    exported = client.get(reverse("admin:core_auditevent_export"), {"action": "accounts.customer.freeze"})

    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == [event]
    assert detail.status_code == 200
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["occurred_at", "actor_label", "action"]
    assert [row[2] for row in rows[1:]] == ["accounts.customer.freeze"]
    assert rows[1][6] == '\'=HYPERLINK("x")'  # no formula injection
    assert AuditEvent.objects.get(action="core.auditevent.export").actor == auditor


def test_audit_log_cannot_be_changed_or_deleted_from_the_admin():
    client = admin_client_for(StaffFactory(roles=["AUDITOR"]))
    event = audit_record(action="core.test", reason="keep")

    client.post(f"/admin/core/auditevent/{event.pk}/change/", {"reason": "changed"})
    deleted = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).reason == "keep"
