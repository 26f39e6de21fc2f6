from concierge.models import Member


def test_member_phone_mask_and_last4(db, store):
    member = Member.objects.create(store=store, member_no="A1", name="张三", phone="13812345678")
    assert member.phone_last4 == "5678"
    assert member.masked_phone == "138****5678"


def test_login_without_next_lands_on_home(client, store_manager):
    response = client.post("/accounts/login/", {"username": "boss", "password": "pw-demo-123"})
    assert response.status_code == 302
    assert response.url == "/"


def test_admin_pages_for_staff_and_assignments_open(admin_client, db):
    from django.urls import reverse

    assert admin_client.get(reverse("admin:concierge_staff_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:concierge_assignment_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:concierge_assignment_add")).status_code == 403
