#!/usr/bin/env python3
"""Writes plaid-2020-09-14.json: the facts of Plaid's OpenAPI description that the stand-in keeps.

Source: Plaid's published OpenAPI description (`plaid/plaid-openapi`, `2020-09-14.yml`,
info.version 2020-09-14_1.697.4, commit 26f1a05), as `../shared/plaid-openapi/` holds it. That file
states no licence, so only facts carry over: for the operations the stand-in serves, the webhooks
it sends and Plaid's error object, each schema's field names, types, nullability, required lists
and enums, as JSON Schema (OpenAPI's `nullable` becomes a `null` type). No description, example or
other prose is kept. Run it again when the stand-in serves another operation:

    python3 standin/spec/derive.py ../shared/plaid-openapi/2020-09-14.yml > standin/spec/plaid-2020-09-14.json
"""
import json
import sys

import yaml

OPERATIONS = [
    "/link/token/create", "/link/token/get", "/item/public_token/exchange", "/accounts/get",
    "/accounts/balance/get", "/item/get", "/item/remove", "/item/webhook/update",
    "/institutions/get_by_id", "/user/create", "/webhook_verification_key/get",
    "/sandbox/public_token/create", "/sandbox/item/reset_login", "/sandbox/item/fire_webhook",
]
# The webhooks the stand-in sends: (webhook_type, webhook_code) -> schema.
WEBHOOKS = {
    "ITEM ERROR": "ItemErrorWebhook",
    "ITEM LOGIN_REPAIRED": "ItemLoginRepairedWebhook",
    "ITEM NEW_ACCOUNTS_AVAILABLE": "NewAccountsAvailableWebhook",
    "ITEM PENDING_DISCONNECT": "PendingDisconnectWebhook",
    "ITEM USER_PERMISSION_REVOKED": "UserPermissionRevokedWebhook",
    "ITEM USER_ACCOUNT_REVOKED": "UserAccountRevokedWebhook",
    "ITEM WEBHOOK_UPDATE_ACKNOWLEDGED": "WebhookUpdateAcknowledgedWebhook",
    "TRANSACTIONS DEFAULT_UPDATE": "DefaultUpdateWebhook",
    "TRANSACTIONS SYNC_UPDATES_AVAILABLE": "SyncUpdatesAvailableWebhook",
    "LINK SESSION_FINISHED": "LinkSessionFinishedWebhook",
}
# Besides: the event names Link reports to onEvent, for the stand-in's Link.
KEPT = ["type", "properties", "required", "enum", "items", "additionalProperties", "allOf", "oneOf", "anyOf"]

spec = yaml.safe_load(open(sys.argv[1]))
schemas = spec["components"]["schemas"]
defs = {}


def name_of(ref):
    return ref.rsplit("/", 1)[-1]


def facts(schema):
    """A schema's facts as JSON Schema; every $ref named is added to `defs`."""
    if "$ref" in schema:
        visit(name_of(schema["$ref"]))
        out = {"$ref": "#/$defs/" + name_of(schema["$ref"])}
    else:
        out = {}
        for key in KEPT:
            if key not in schema:
                continue
            value = schema[key]
            if key == "properties":
                out[key] = {k: facts(v) for k, v in value.items()}
            elif key in ("items",) or (key == "additionalProperties" and isinstance(value, dict)):
                out[key] = facts(value)
            elif key in ("allOf", "oneOf", "anyOf"):
                out[key] = [facts(v) for v in value]
            else:
                out[key] = value
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = out["enum"] + [None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def visit(name):
    if name not in defs:
        defs[name] = None  # before recursing: a schema may refer to itself
        defs[name] = facts(schemas[name])


operations = {}
for path in OPERATIONS:
    post = spec["paths"][path]["post"]
    request = post["requestBody"]["content"]["application/json"]["schema"]
    response = post["responses"]["200"]["content"]["application/json"]["schema"]
    operations[path] = {"request": facts(request)["$ref"], "response": facts(response)["$ref"]}
webhooks = {}
for key, name in WEBHOOKS.items():
    visit(name)
    webhooks[key] = "#/$defs/" + name
visit("PlaidError")
# The names Link's onEvent may report (the end-to-end suite checks the stand-in's Link against them).
visit("LinkEventName")

json.dump(
    {
        "provenance": "Facts (names, types, nullability, required lists, enums) of Plaid's OpenAPI description, plaid/plaid-openapi 2020-09-14.yml, info.version 2020-09-14_1.697.4, commit 26f1a05; written by standin/spec/derive.py.",
        "operations": operations,
        "webhooks": webhooks,
        "error": "#/$defs/PlaidError",
        "$defs": dict(sorted(defs.items())),
    },
    sys.stdout,
    indent=1,
    sort_keys=False,
)
sys.stdout.write("\n")
