"""Users, departments and errors through the client, against a running embedded system (Part I)."""

from __future__ import annotations

import pytest

from stalker_client import (
    AuthenticationError,
    Conflict,
    Department,
    NotFound,
    PermissionDenied,
    Stalker,
    User,
    ValidationError,
)

from support.client_data import make_user


def test_connect_logs_in_and_knows_who_it_is(system: str) -> None:
    with Stalker.connect(system, "admin", "admin") as client:
        me = client.me()
        assert (me.login, me.is_admin) == ("admin", True)
        assert client.token and client.base_url == system


def test_a_wrong_password_is_an_authentication_error(system: str) -> None:
    with pytest.raises(AuthenticationError) as refused:
        Stalker.connect(system, "admin", "wrong")
    assert refused.value.status == 401 and refused.value.detail == "wrong login or password"


def test_part_i_the_user_joins_a_department_and_admins_come_first(admin: Stalker, unique: str) -> None:
    me = admin.users.create(
        name="Erkan Ozgur Yilmaz",
        login=f"eoyilmaz{unique}",
        email=f"eoyilmaz{unique}@example.com",
        password="Tr0ub4dor&3",
        description="This is me",
    )
    assert isinstance(me, User) and me.description == "This is me"
    assert me.active and not me.is_admin and admin.users.get(me.id).active
    tds = admin.departments.create(name=f"TDs {unique}", description="This is the TDs department")
    tds = admin.departments.add_member(tds.id, me.id)
    assert isinstance(tds, Department) and tds.user_ids == tds.member_ids == [me.id]
    assert [str(d) for d in admin.users.departments(me.id)] == [f"<TDs {unique} (Department)>"]
    all_departments = admin.departments.list(sort="id")
    assert str(all_departments[0]) == "<admins (Department)>"
    assert str(admin.departments.members(tds.id)[0]) == f"<Erkan Ozgur Yilmaz ('eoyilmaz{unique}') (User)>"
    admin.departments.remove_member(tds.id, me.id)
    assert admin.departments.members(tds.id) == []


def test_lists_filter_sort_page_and_iterate(admin: Stalker, unique: str) -> None:
    logins = [make_user(admin, f"{unique}{i}")[0] for i in range(3)]
    page = admin.users.list(login__in=logins, sort="-login", limit=2)
    assert (page.total, len(page), page.limit) == (3, 2, 2)
    assert [u.login for u in page] == sorted(logins, reverse=True)[:2]
    assert [u.login for u in admin.users.iterate(login__in=logins, limit=1)] == logins
    assert admin.users.list(name__contains=unique).total == 3
    assert admin.users.first(login="nobody-" + unique) is None
    assert admin.users.by_login(logins[1]) is not None


def test_update_and_delete(admin: Stalker, unique: str) -> None:
    _, user_id = make_user(admin, unique)
    changed = admin.users.update(user_id, description="moved", rate=12.5)
    assert (changed.description, changed.rate, changed.revision) == ("moved", 12.5, 2)
    admin.users.delete(user_id)
    with pytest.raises(NotFound) as gone:
        admin.users.get(user_id)
    assert gone.value.status == 404 and str(user_id) in gone.value.detail


def test_errors_carry_the_problem_details(admin: Stalker, unique: str) -> None:
    login, _ = make_user(admin, unique)
    with pytest.raises(Conflict) as duplicate:
        admin.users.create(name="Again", login=login, email=f"other{unique}@example.com", password="x")
    assert duplicate.value.status == 409 and duplicate.value.field == "login"
    with pytest.raises(ValidationError) as invalid:
        admin.users.create(name="Bad", login=f"bad{unique}", email="x", password="x")
    assert (invalid.value.status, invalid.value.field) == (422, "email")
    with pytest.raises(ValidationError) as unknown_filter:
        admin.users.list(shoe_size=42)
    assert unknown_filter.value.field == "shoe_size"


def test_a_user_who_is_not_an_admin_may_not_create_users(system: str, admin: Stalker, unique: str) -> None:
    login, _ = make_user(admin, unique)
    with Stalker.connect(system, login, "Tr0ub4dor&3") as artist, pytest.raises(PermissionDenied) as refused:
        artist.users.create(name="X", login=f"x{unique}", email=f"x{unique}@example.com", password="x")
    assert refused.value.status == 403


def test_an_expired_token_is_renewed_with_the_login_it_was_made_with(system: str) -> None:
    with Stalker.connect(system, "admin", "admin") as client:
        client.session.token = "expired.or.revoked"
        assert client.me().login == "admin"  # answered 401 once, logged in again, retried
        assert client.token != "expired.or.revoked"
    with Stalker(system, token="expired.or.revoked") as anonymous, pytest.raises(AuthenticationError):
        anonymous.me()
