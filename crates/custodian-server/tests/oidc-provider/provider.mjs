// The OpenID provider Custodian's OIDC tests sign in against: oidc-provider (a certified OpenID
// Connect implementation), unmodified, with a small configuration. Started by the test harness
// (crates/custodian-server/tests/it/oidc.rs) as
//
//   node provider.mjs '<json>'
//
// where the JSON gives the issuer, the port (0: any free one), the clients and the accounts. It
// prints one line, {"port": N}, once it listens on 127.0.0.1, and runs until killed.
//
// Each process signs with a fresh RSA key (a new `kid`), so restarting it behind the same issuer
// is a key rotation. The login page is the provider's interaction, answered by the small form
// below (any account the configuration names signs in; there are no passwords: the tests are
// about the relying party). Consent is implicit (first-party client), as in Entra ID for an
// application the force's administrators have consented to.
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const accounts = cfg.accounts ?? {};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `k-${randomBytes(6).toString('hex')}`, use: 'sig', alg: 'RS256' };

const provider = new Provider(cfg.issuer, {
  clients: cfg.clients,
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Entra ID puts the directory's claims in the ID token; so does this provider.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub', 'oid', 'groups', 'roles'],
    email: ['email'],
    profile: ['name', 'preferred_username'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: {
    // Seconds; a test of expired tokens starts a provider with a short one.
    IdToken: cfg.id_token_ttl ?? 3600,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res) {
  const url = new URL(req.url, cfg.issuer);
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const form = await body(req);
    const login = form.get('login') ?? '';
    if (!accounts[login]) {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Unknown account</title><p id="error">No account ${escape(login)}</p>`);
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Test provider sign-in</title></head><body>
<h1>Sign in (${escape(details.prompt.name)})</h1>
<form method="post" action="${escape(url.pathname)}">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off">
<button id="continue" type="submit">Continue</button>
</form></body></html>`);
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
    return;
  }
  callback(req, res);
});
server.listen(cfg.port ?? 0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
