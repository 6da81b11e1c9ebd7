"""Cross-check: Authlib (a standard OAuth 2.0 client) obtains a
client_credentials token from the jwt2oauth IMS emulator, with HTTP Basic
client auth (Authlib's default) and with client_secret_post.

Environment: IMS_URL (the emulator's base URL), FIXTURES (fixtures/ims).
Exits non-zero on any failure. Prints no secret or token.
"""

import base64
import json
import os
import sys

from authlib.integrations.requests_client import OAuth2Session, OAuthError

ims = os.environ.get("IMS_URL")
fixtures = os.environ.get("FIXTURES")
if not ims or not fixtures:
    print("set IMS_URL and FIXTURES", file=sys.stderr)
    sys.exit(2)

with open(os.path.join(fixtures, "workspace.json"), encoding="utf-8") as f:
    ws = json.load(f)
cred = next(c for c in ws["project"]["workspace"]["details"]["credentials"] if "oauth_server_to_server" in c)
s2s = cred["oauth_server_to_server"]
token_url = ims.rstrip("/") + "/ims/token/v3"


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


for method in ("client_secret_basic", "client_secret_post"):
    session = OAuth2Session(
        s2s["client_id"],
        s2s["client_secrets"][0],
        scope=",".join(s2s["scopes"]),
        token_endpoint_auth_method=method,
    )
    token = session.fetch_token(token_url, grant_type="client_credentials")
    check(isinstance(token.get("access_token"), str), f"Authlib ({method}) got an access token")
    check(token.get("token_type", "").lower() == "bearer", "token_type is bearer")
    check(token.get("expires_in") == 86399, f"expires_in is in seconds ({token.get('expires_in')})")
    check(token.get("expires_at") is not None, "Authlib computed expires_at")
    c = claims(token["access_token"])
    check(c["client_id"] == s2s["client_id"], "token client_id is the credential's")
    check(c["user_id"] == s2s["technical_account_id"], "token user_id is the technical account")
    check(set(c["scope"].split(",")) == set(s2s["scopes"]), "token scopes are the credential's")
    # Use the token the way an API client would.
    resp = session.get(ims.rstrip("/") + "/ims/profile/v1")
    check(resp.status_code == 200, f"bearer call with the Authlib session works ({resp.status_code})")

bad = OAuth2Session(s2s["client_id"], "p8e-wrongwrongwrongwrongwrongwrong", scope=",".join(s2s["scopes"]))
try:
    bad.fetch_token(token_url, grant_type="client_credentials")
    check(False, "expected invalid_client")
except OAuthError as e:
    check(e.error == "invalid_client", f"wrong secret rejected with invalid_client (got {e.error})")

bad_scope = OAuth2Session(s2s["client_id"], s2s["client_secrets"][0], scope="openid,campaign_sdk")
try:
    bad_scope.fetch_token(token_url, grant_type="client_credentials")
    check(False, "expected invalid_scope")
except OAuthError as e:
    check(e.error == "invalid_scope", f"unknown scope rejected with invalid_scope (got {e.error})")

print("Authlib crosscheck passed")
