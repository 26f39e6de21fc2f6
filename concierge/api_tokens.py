"""The tills' tokens for the purchase API: made and revoked by whoever may set up the store, and
checked on every request.

A token is shown once, when it is made; only its first characters (to find it) and its SHA-256 (to
check it) are stored. Tokens are 32 random bytes, so a fast hash is as strong as a slow one here.
"""

import functools
import hashlib
import hmac
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from concierge import rawsql
from concierge.errors import ActionRefused
from concierge.models import ApiToken, Store, TierProgram
from concierge.models.api import PREFIX_LENGTH
from concierge.setup_actions import begin_setup
from concierge.workflow import action, audit, lock

# A token sent longer than this is not one of ours; its hash is not worth computing.
MAX_TOKEN_LENGTH = 200


def digest_of(text):
    return hashlib.sha256(text.encode()).hexdigest()


def _begin(store, actor):
    if actor.store_id != store.pk:
        raise ActionRefused(_("You may not change this store's set-up."))
    return begin_setup(actor)


@action
def create_api_token(store, *, actor, name):
    """A new token for one till. Returns (the row, the token's text: shown once, never stored).

    Writes: the row, `store_setup.api_token_created`.
    """
    store, actor = _begin(store, actor)
    text = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        store=store, name=name, prefix=text[:PREFIX_LENGTH], digest=digest_of(text), created_by=actor
    )
    audit("store_setup.api_token_created", token, actor, store=store, name=name, prefix=token.prefix)
    return token, text


@action
def revoke_api_token(token, *, actor):
    """The till using this token can send no more purchases. Writes: revoked_at/by and
    `store_setup.api_token_revoked`; a token revoked already is refused."""
    if actor.store_id != token.store_id:
        raise ActionRefused(_("You may not change this store's set-up."))
    store, actor = begin_setup(actor)
    token = lock(token)
    if token.revoked_at is not None:
        raise ActionRefused(_("This token was revoked already."))
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit("store_setup.api_token_revoked", token, actor, store=store, name=token.name, prefix=token.prefix)
    return token


def find_token(text):
    """The token row this text is (revoked or not), with its store and the store's tier program
    (the request refreshes its members' tiers with it), or None. Compared in constant time."""
    if not text or len(text) > MAX_TOKEN_LENGTH:
        return None
    digest = digest_of(text)
    # Written out: the prefix finds one row on every till request, and building this query with
    # the ORM cost more than running it (docs/benchmarks.md, "Purchase API").
    rows = rawsql.select(_token_sql(), [text[:PREFIX_LENGTH]], _TOKEN_FIELDS)
    for row in rows:
        token = rawsql.instance(ApiToken, row[:_TOKEN_WIDTH])
        if hmac.compare_digest(token.digest, digest):
            store = rawsql.instance(Store, row[_TOKEN_WIDTH:_STORE_END])
            store.tier_program = rawsql.instance(TierProgram, row[_STORE_END:])
            token.store = store
            return token
    return None


_TOKEN_FIELDS = rawsql.model_fields(ApiToken, Store, TierProgram)
_TOKEN_WIDTH = len(ApiToken._meta.concrete_fields)
_STORE_END = _TOKEN_WIDTH + len(Store._meta.concrete_fields)


@functools.cache
def _token_sql():
    return (
        f"SELECT {rawsql.columns(ApiToken, 't')}, {rawsql.columns(Store, 's')},"
        f" {rawsql.columns(TierProgram, 'p')}"
        f" FROM {ApiToken._meta.db_table} t"
        f" JOIN {Store._meta.db_table} s ON s.id = t.store_id"
        f" LEFT JOIN {TierProgram._meta.db_table} p ON p.id = s.tier_program_id"
        " WHERE t.prefix = %s"
    )
