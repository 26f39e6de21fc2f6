import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from concierge.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF, STORE_CODE
from concierge.models import ContactLog, Member, Purchase, Staff, Store
from concierge.roles import Role

pytestmark = pytest.mark.xdist_group("seed_demo")


@pytest.fixture
def seeded(db, demo_for_the_module):
    return Store.objects.get(pk=demo_for_the_module)


def test_every_value_class_lifecycle_and_tier_occurs(seeded):
    members = Member.objects.filter(store=seeded)
    assert 300 <= members.count() <= 500
    assert set(members.values_list("value_class", flat=True)) == {"A", "B", "C", ""}
    assert set(members.values_list("lifecycle", flat=True)) == set(Member.Lifecycle.values)
    tiers = set(members.exclude(tier=None).values_list("tier__name", flat=True))
    assert tiers == {"ME", "WE", "SVIP"}
    assert seeded.tier_program.tiers.get(name="SVIP").dedicated_manager


def test_history_has_returns_visits_and_contacts(seeded):
    purchases = Purchase.objects.filter(store=seeded)
    assert purchases.filter(amount__lt=0).exists()
    assert purchases.filter(amount=0).exists()
    assert ContactLog.objects.filter(member__store=seeded).exists()
    assert Member.objects.filter(store=seeded, birthday_is_lunar=True).exists()
    assert Member.objects.filter(store=seeded, tags__name="瓷器").exists()


def test_every_role_has_a_demo_login(seeded):
    roles = set()
    for username, *_ in DEMO_STAFF:
        # As the login page does: the lockout check needs the request.
        user = authenticate(
            RequestFactory().post("/accounts/login/"), username=username, password=DEMO_PASSWORD
        )
        assert user is not None, username
        assert user.store == seeded
        roles.update(user.roles)
    assert roles == set(Role)
    assert Staff.objects.get(username="admin").is_staff


def test_refuses_to_load_over_members_unless_forced(seeded):
    before = sorted(Member.objects.values_list("member_no", "name", "phone"))
    with pytest.raises(CommandError, match="already has members"):
        call_command("seed_demo", verbosity=0)

    call_command("seed_demo", "--force", verbosity=0)

    # Same seed, same day: forcing replaces the store with an identical one, not a second copy.
    assert sorted(Member.objects.values_list("member_no", "name", "phone")) == before
    assert Store.objects.filter(code=STORE_CODE).count() == 1


def test_prints_the_demo_logins(seeded, capsys):
    call_command("seed_demo", "--logins")
    out = capsys.readouterr().out
    for username, display_name, *_ in DEMO_STAFF:
        assert username in out
        assert display_name in out
    assert DEMO_PASSWORD in out


def test_demo_complaints_show_every_state_and_the_hard_cases(seeded):
    from django.db.models import Q

    from complaints.models import Complaint

    complaints = Complaint.objects.filter(store=seeded)
    assert set(complaints.values_list("state", flat=True)) == set(Complaint.State.values)
    assert complaints.filter(Q(contact_breached=True) | Q(resolve_breached=True)).exists()
    assert complaints.filter(reopen_count__gt=0).exists()
    assert complaints.filter(follows__isnull=False).exists()


def test_demo_revival_campaign_is_worked_credited_and_paid(seeded):
    from tasks.models import IncentiveEntry, RevivalCampaign, RevivalCase, RevivalCredit

    campaign = RevivalCampaign.objects.get(store=seeded)
    assert campaign.state == RevivalCampaign.State.OPEN and campaign.pool_size > 0
    assert campaign.quotas.count() == 3
    cases = RevivalCase.objects.filter(campaign=campaign)
    assert {RevivalCase.State.OPEN, RevivalCase.State.CONTACTED, RevivalCase.State.REVIVED} <= set(
        cases.values_list("state", flat=True)
    )
    credits = set(RevivalCredit.objects.filter(campaign=campaign).values_list("state", flat=True))
    assert credits == set(RevivalCredit.State.values)
    ledger = IncentiveEntry.objects.filter(campaign=campaign)
    assert set(ledger.values_list("state", flat=True)) == set(IncentiveEntry.State.values)
    assert ledger.filter(kind=IncentiveEntry.Kind.BONUS).exists()
    # Worked unevenly: the leaderboard has a clear first place.
    revived = [cases.filter(staff=quota.staff, state="revived").count() for quota in campaign.quotas.all()]
    assert len(set(revived)) > 1
