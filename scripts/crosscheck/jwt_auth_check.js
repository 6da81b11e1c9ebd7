// Cross-check: Adobe's own @adobe/jwt-auth obtains a token from the jwt2oauth
// IMS emulator, with its `ims` option pointing at the emulator.
//
// Environment: IMS_URL (the emulator's base URL), FIXTURES (fixtures/ims).
// Exits non-zero on any failure. Prints no secret or token.
'use strict';

const fs = require('fs');
const path = require('path');
const auth = require('@adobe/jwt-auth');

const ims = process.env.IMS_URL;
const fixtures = process.env.FIXTURES;
if (!ims || !fixtures) {
  console.error('set IMS_URL and FIXTURES');
  process.exit(2);
}

const ws = JSON.parse(fs.readFileSync(path.join(fixtures, 'workspace.json'), 'utf8'));
const jwt = ws.project.workspace.details.credentials.find(c => c.jwt).jwt;
const orgId = ws.project.org.ims_org_id;

const base = {
  clientId: jwt.client_id,
  technicalAccountId: jwt.techacct_id,
  orgId,
  clientSecret: jwt.client_secret,
  privateKey: fs.readFileSync(path.join(fixtures, 'private.key'), 'utf8'),
  metaScopes: jwt.meta_scopes,
  ims
};

function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function check(cond, what) {
  if (!cond) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}

(async () => {
  const res = await auth(base);
  check(typeof res.access_token === 'string', '@adobe/jwt-auth got an access token');
  check(res.token_type === 'bearer', 'token_type is bearer');
  check(res.expires_in > 1e6, `expires_in is in milliseconds (${res.expires_in})`);
  const c = claims(res.access_token);
  check(c.client_id === jwt.client_id, 'token client_id is the credential\'s');
  check(c.user_id === jwt.techacct_id, 'token user_id is the technical account');

  const enc = await auth({
    ...base,
    privateKey: fs.readFileSync(path.join(fixtures, 'private_encrypted.key'), 'utf8'),
    passphrase: 'fixture-passphrase'
  });
  check(typeof enc.access_token === 'string', 'encrypted key with passphrase works');

  const failures = [
    [{ clientSecret: 'p8e-wrongwrongwrongwrongwrongwrong' }, 'invalid_client'],
    [{ metaScopes: ['ent_user_sdk', 'ent_campaign_sdk'] }, 'invalid_scope'],
    [{ privateKey: fs.readFileSync(path.join(fixtures, 'other_private.key'), 'utf8') }, 'invalid_token']
  ];
  for (const [override, code] of failures) {
    try {
      await auth({ ...base, ...override });
      check(false, `expected ${code}`);
    } catch (e) {
      check(e.code === code, `rejected with ${code} (got ${e.code}: ${e.message})`);
    }
  }
  console.log('@adobe/jwt-auth crosscheck passed');
})().catch(e => {
  console.error(`FAIL: ${e.code || ''} ${e.message}`);
  process.exit(1);
});
