"""python manage.py open_revival_campaign: drafts and opens, prints the pool and the quotas."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from concierge.models import StaffAbsence
from concierge.roles import Role
from tasks.models import RevivalCampaign, RevivalQuota
from tests.factories import StaffFactory
from tests.revival.test_campaigns_open import END, START, dormant

ARGS = ["--store", "bj01", "--name", "一月激活", "--start", START.isoformat(), "--end", END.isoformat()]


pytestmark = pytest.mark.usefixtures("english")


def run(*extra):
    out = io.StringIO()
    call_command("open_revival_campaign", *ARGS, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def team(store):
    return [
        StaffFactory(store=store, username=f"vip{i}", display_name=f"顾问{i}", roles=[Role.VIP_MANAGER])
        for i in range(3)
    ]


def test_it_opens_over_the_vip_managers_at_work_and_prints_the_quotas(store, team):
    dormant(store, 10)
    StaffAbsence.objects.create(store=store, staff=team[2], first_day=START, last_day=START + dt.timedelta(3))
    StaffFactory(store=store, username="boss", roles=[Role.STORE_MANAGER])
    output = run()
    campaign = RevivalCampaign.objects.get(name="一月激活")
    assert campaign.state == RevivalCampaign.State.OPEN and campaign.created_by is None
    assert "10 members" in output
    assert "left out, on leave on 2026-12-01: vip2" in output
    quotas = RevivalQuota.objects.filter(campaign=campaign)
    assert {q.staff.username: (q.share, q.target) for q in quotas} == {"vip0": (5, 1), "vip1": (5, 1)}
    assert "vip0" in output and "members      5  target     1" in output


def test_it_takes_the_staff_and_weights_given(store, team):
    dormant(store, 9)
    output = run("--staff", "vip0,vip2", "--weights", "vip2=0.5")
    quotas = {q.staff.username: q for q in RevivalQuota.objects.all()}
    assert {name: q.share for name, q in quotas.items()} == {"vip0": 6, "vip2": 3}
    assert str(quotas["vip2"].weight) == "0.50"
    assert "weight  0.50" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--staff", "nobody"], "No staff member with the username nobody"),
        (["--staff", "vip0", "--weights", "vip1=2"], "not among the staff"),
        (["--staff", "vip0", "--weights", "vip0=lots"], "Not a weight"),
        (["--staff", "vip0", "--weights", "vip0=20"], "between 0.1 and 10"),
    ],
)
def test_bad_arguments_are_plain_errors(store, team, extra, message):
    dormant(store, 2)
    with pytest.raises(CommandError, match=message):
        run(*extra)
    assert not RevivalCampaign.objects.exists()


def test_refusals_leave_no_draft_behind(store, team, other_store):
    with pytest.raises(CommandError, match="Nobody is in the pool"):
        run()
    assert not RevivalCampaign.objects.exists()
    with pytest.raises(CommandError, match="No store with the code"):
        call_command("open_revival_campaign", *ARGS[2:], "--store", "zz99", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no active VIP manager"):
        call_command("open_revival_campaign", *ARGS[2:], "--store", "sh01", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("open_revival_campaign", *ARGS[:-1], "2026-13-01", stdout=io.StringIO())


def test_a_name_used_before_is_refused(store, team):
    dormant(store, 2)
    run()
    with pytest.raises(CommandError, match="already has a campaign called"):
        run()
    assert RevivalCampaign.objects.count() == 1
