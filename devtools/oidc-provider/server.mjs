// A local OpenID provider that plays ID-porten and Ansattporten for Delbar's development, demo and
// tests: one node process, two issuers (/idporten and /ansattporten) on one port, both built on
// panva's certified oidc-provider. DEV ONLY: secrets have defaults, any loopback redirect URI is
// accepted, everything lives in memory. See README.md beside this file.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors, interactionPolicy } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'redirect-uris': { type: 'string' },
    'post-logout-redirect-uris': { type: 'string' },
    persons: { type: 'string' },
  },
});
const env = process.env;
const setting = (arg, name, fallback) => args[arg] ?? env[name] ?? fallback;
const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);

const HOST = setting('host', 'OIDC_HOST', '127.0.0.1');
const PORT = Number(setting('port', 'OIDC_PORT', '8800')); // 0: any free port (see the ready line)
const REDIRECT_URIS = list(setting('redirect-uris', 'OIDC_REDIRECT_URIS',
  'http://127.0.0.1:8000/accounts/oidc/idporten/callback/,'
  + 'http://127.0.0.1:8000/accounts/oidc/ansattporten/callback/'));
const POST_LOGOUT_REDIRECT_URIS = list(setting('post-logout-redirect-uris', 'OIDC_POST_LOGOUT_REDIRECT_URIS',
  'http://127.0.0.1:8000/'));
// By default any http(s) URI on 127.0.0.1/localhost/[::1] is accepted as well, so a test server on
// a port only known at run time can be the relying party. OIDC_STRICT_REDIRECT_URIS=1 turns that off.
const STRICT_REDIRECTS = ['1', 'true', 'yes'].includes(env.OIDC_STRICT_REDIRECT_URIS ?? '');
const PERSONS_FILE = setting('persons', 'OIDC_PERSONS_FILE', new URL('./persons.json', import.meta.url));

const CLIENTS = {
  idporten: { client_id: 'delbar-idporten', client_secret: env.OIDC_IDPORTEN_CLIENT_SECRET || 'dev-secret-idporten' },
  ansattporten: {
    client_id: 'delbar-ansattporten',
    client_secret: env.OIDC_ANSATTPORTEN_CLIENT_SECRET || 'dev-secret-ansattporten',
  },
};
const TITLES = { idporten: 'ID-porten', ansattporten: 'Ansattporten' };

// Levels of assurance, lowest first, as ID-porten names them; "amr" is ID-porten's test eID.
const LEVELS = ['idporten-loa-substantial', 'idporten-loa-high'];
const LEVEL_LABELS = {
  'idporten-loa-substantial': 'Betydelig (som MinID)',
  'idporten-loa-high': 'Høyt (som BankID, Buypass eller Commfides)',
};
const AMR = ['TestID'];
const LOCALES = ['nb', 'nn', 'en', 'se'];

// Ansattporten's RAR types for Altinn (docs.digdir.no: "RAR-typer i Ansattporten").
const ALTINN_SERVICE = 'ansattporten:altinn:service';
const ALTINN_RESOURCE = 'ansattporten:altinn:resource';
const RESOURCE_NAMES = { 'urn:altinn:resource:delbar-access': 'Tilgang til Delbar' };

const persons = Object.entries(JSON.parse(readFileSync(PERSONS_FILE, 'utf8')).persons)
  .map(([key, person]) => ({ key, ...person }));
const personBySub = new Map(persons.map((person) => [person.sub, person]));
const personByKey = new Map(persons.map((person) => [person.key, person]));

// --- small helpers ---

const esc = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1e2b3c}
.dev{background:#fff4d6;border:1px solid #c9a227;padding:.5rem 1rem;border-radius:4px}
fieldset{border:1px solid #8aa0b8;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:600}ul{list-style:none;padding:0}li{margin:.5rem 0}
button{font:inherit;padding:.4rem .9rem;border:2px solid #0062ba;border-radius:4px;background:#0062ba;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0062ba}button:focus-visible{outline:3px solid #c9a227;outline-offset:2px}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function levelRank(acr) {
  return LEVELS.indexOf(acr);
}

// The lowest level the client asked for in acr_values (ID-porten treats it as a minimum); unknown
// values are ignored, and no known value means the lowest level.
function minimumLevel(acrValues) {
  const requested = (acrValues || '').split(' ').filter((value) => LEVELS.includes(value));
  return requested.length ? requested.reduce((a, b) => (levelRank(a) <= levelRank(b) ? a : b)) : LEVELS[0];
}

function localeFrom(uiLocales) {
  return (uiLocales || '').split(' ').map((tag) => tag.split('-')[0].toLowerCase())
    .find((tag) => LOCALES.includes(tag)) || 'nb';
}

function requestedDetails(params) {
  if (params.authorization_details === undefined) return undefined;
  const details = JSON.parse(params.authorization_details);
  return Array.isArray(details) && details.length ? details : undefined;
}

// What Ansattporten hands back for one requested authorization detail once the person has chosen
// whom to represent (organization undefined: the person represents themself).
function grantedDetail(detail, organization) {
  if (!organization) return { type: detail.type };
  const resourceName = RESOURCE_NAMES[detail.resource] || detail.resource.replace('urn:altinn:resource:', '');
  const id = `0192:${organization.orgno}`;
  if (detail.type === ALTINN_RESOURCE) {
    return {
      type: detail.type,
      resource: detail.resource,
      resource_name: resourceName,
      authorized_parties: [{
        orgno: { authority: 'iso6523-actorid-upis', ID: id },
        resource: detail.resource.replace('urn:altinn:resource:', ''),
        name: organization.name,
        ...(organization.unit_type ? { unit_type: organization.unit_type } : {}),
      }],
    };
  }
  return {
    type: detail.type,
    resource: detail.resource,
    resource_name: resourceName,
    reportees: [{ Rights: organization.rights, Authority: 'iso6523-actorid-upis', ID: id, Name: organization.name }],
  };
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new errors.InvalidRequest('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function isLoopbackUri(value) {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && !url.hash
      && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

// --- one issuer ---

function makeProvider(kind, base) {
  const prefix = `/${kind}`;
  const ansatt = kind === 'ansattporten';
  // What a login decided, kept in memory (dev only): the locale per grant, and the granted
  // authorization_details per grant, per authorization code and (as an extra claim) per access token.
  const localeByGrant = new Map();
  const detailsByGrant = new Map();
  const detailsByCode = new Map();

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const policy = interactionPolicy.base();
  // Like ID-porten: a session at a lower level than the client asks for means logging in again.
  policy.get('login').checks.add(new interactionPolicy.Check(
    'acr_below_requested',
    'the session is below the requested level of assurance',
    (ctx) => {
      const { session, params } = ctx.oidc;
      if (!session.accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return levelRank(session.acr) >= levelRank(minimumLevel(params.acr_values))
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    },
  ));

  // Ansattporten's authorization_details (RFC 9396 request syntax, Altinn types). oidc-provider's own
  // richAuthorizationRequests feature ties RAR to resource-indicator access tokens, which its userinfo
  // endpoint then refuses; Ansattporten's clients get the details in the token response, the ID token
  // and userinfo alike, so this provider handles the parameter itself.
  const validateAuthorizationDetails = (ctx, value) => {
    if (value === undefined) return;
    let details;
    try {
      details = JSON.parse(value);
    } catch {
      throw new errors.InvalidAuthorizationDetails('authorization_details must be JSON');
    }
    if (!Array.isArray(details) || !details.length) {
      throw new errors.InvalidAuthorizationDetails('authorization_details must be a non-empty JSON array');
    }
    for (const detail of details) {
      if (!detail || ![ALTINN_SERVICE, ALTINN_RESOURCE].includes(detail.type)) {
        throw new errors.InvalidAuthorizationDetails(`supported types are ${ALTINN_SERVICE} and ${ALTINN_RESOURCE}`);
      }
      if (typeof detail.resource !== 'string' || !detail.resource.startsWith('urn:altinn:resource:')) {
        throw new errors.InvalidAuthorizationDetails("'resource' must be a string of the form urn:altinn:resource:...");
      }
    }
  };

  const provider = new Provider(`${base}${prefix}`, {
    clients: [{
      ...CLIENTS[kind],
      client_name: `Delbar (${TITLES[kind]})`,
      redirect_uris: REDIRECT_URIS,
      post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post', // client_secret_basic is accepted as well
      id_token_signed_response_alg: 'RS256',
    }],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
    responseTypes: ['code'],
    pkce: { required: () => true }, // only S256 is supported
    acrValues: LEVELS,
    scopes: ['openid', 'profile'],
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time', 'pid', 'locale', ...(ansatt ? ['authorization_details'] : [])],
      profile: [],
    },
    conformIdTokenClaims: false, // pid, locale and authorization_details belong in the ID token
    jwks: { keys: [signingKey] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      // Two issuers share one host: their cookies must not collide.
      names: { session: `_${kind}_session`, interaction: `_${kind}_interaction`, resume: `_${kind}_resume` },
    },
    ttl: { IdToken: 120, AccessToken: 600, AuthorizationCode: 60 },
    features: {
      devInteractions: { enabled: false },
      // Off: its checks would demand a resource indicator with every authorization_details request.
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page(`Logg ut – ${TITLES[kind]}`, `<h1>Logg ut av ${esc(TITLES[kind])} (lokal testutgave)?</h1>
${form}
<button autofocus type="submit" form="op.logoutForm" name="logout" value="yes">Ja, logg meg ut</button>
<button class="secondary" type="submit" form="op.logoutForm">Nei, forbli innlogget</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page(`Logget ut – ${TITLES[kind]}`, `<h1>Du er logget ut av ${esc(TITLES[kind])}</h1>`);
        },
      },
    },
    ...(ansatt ? {
      extraParams: { authorization_details: validateAuthorizationDetails },
      discovery: { authorization_details_types_supported: [ALTINN_SERVICE, ALTINN_RESOURCE] },
      async extraTokenClaims(ctx) {
        const details = detailsByCode.get(ctx.oidc.entities.AuthorizationCode?.jti);
        return details ? { authorization_details: details } : undefined;
      },
    } : {}),
    interactions: { url: (ctx, interaction) => `${prefix}/interaction/${interaction.uid}`, policy },
    async findAccount(ctx, sub, token) {
      const person = personBySub.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        async claims() {
          // token: the authorization code at the token endpoint, the access token at userinfo.
          const details = token?.kind === 'AuthorizationCode'
            ? detailsByCode.get(token.jti) : token?.extra?.authorization_details;
          return {
            sub,
            pid: person.pid,
            locale: localeByGrant.get(token?.grantId) || 'nb',
            ...(details ? { authorization_details: details } : {}),
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page(`Feil – ${TITLES[kind]}`, `<h1>Noe gikk galt i ${esc(TITLES[kind])} (lokal testutgave)</h1>
<dl>${Object.entries(out).map(([key, value]) => `<dt>${esc(key)}</dt><dd>${esc(value)}</dd>`).join('')}</dl>`);
    },
  });

  if (ansatt) {
    provider.use(async (ctx, next) => {
      await next();
      const code = ctx.oidc?.entities.AuthorizationCode;
      if (!code) return;
      if (['authorization', 'resume'].includes(ctx.oidc.route)) {
        // A code issued for a request with authorization_details carries what the person chose.
        if (ctx.oidc.params.authorization_details !== undefined) {
          detailsByCode.set(code.jti, detailsByGrant.get(code.grantId));
        }
      } else if (ctx.oidc.route === 'token' && ctx.status === 200) {
        const details = detailsByCode.get(code.jti);
        if (details) ctx.body = { ...ctx.body, authorization_details: details };
        detailsByCode.delete(code.jti);
      }
    });
  }

  provider.on('server_error', (ctx, error) => console.error(`${kind}:`, error));

  if (!STRICT_REDIRECTS) {
    const { redirectUriAllowed, postLogoutRedirectUriAllowed } = provider.Client.prototype;
    provider.Client.prototype.redirectUriAllowed = function allowLoopback(value) {
      return isLoopbackUri(value) || redirectUriAllowed.call(this, value);
    };
    provider.Client.prototype.postLogoutRedirectUriAllowed = function allowLoopback(value) {
      return isLoopbackUri(value) || postLogoutRedirectUriAllowed.call(this, value);
    };
  }

  // The login page: a button per test person (in Ansattporten with RAR, per person and organization
  // they can represent, as Ansattporten's organization chooser), and the level of assurance.
  function loginPage(interaction, errorText) {
    const { uid, prompt, params, session } = interaction;
    const details = ansatt ? requestedDetails(params) : undefined;
    const signedIn = prompt.name === 'consent' ? personBySub.get(session?.accountId) : undefined;
    const minimum = minimumLevel(params.acr_values);
    const choices = [];
    for (const person of signedIn ? [signedIn] : persons) {
      const name = `${person.given_name} ${person.family_name}`;
      if (details) {
        for (const org of person.organizations) {
          choices.push({
            value: `${person.key}:${org.orgno}`,
            label: `${name} for ${org.name}`,
            note: `${person.description}; org.nr. ${org.orgno}`,
          });
        }
        if (!details.some((detail) => detail.representation_is_required === true)) {
          choices.push({ value: person.key, label: `${name} som seg selv`, note: person.description });
        }
      } else {
        choices.push({ value: person.key, label: name, note: person.description });
      }
    }
    const levels = LEVELS.filter((level) => levelRank(level) >= levelRank(minimum));
    const levelField = signedIn ? '' : `<fieldset>
<legend>Sikkerhetsnivå</legend>
${levels.map((level) => `<div><input type="radio" id="acr-${level}" name="acr" value="${level}"${level === minimum ? ' checked' : ''}>
<label for="acr-${level}">${esc(LEVEL_LABELS[level])}</label></div>`).join('\n')}
</fieldset>`;
    return page(`Logg inn – ${TITLES[kind]} (lokal testutgave)`, `<h1>${esc(TITLES[kind])} – lokal testutgave</h1>
<p class="dev">Dette er en lokal OpenID-tilbyder for utvikling og test av Delbar. Ingen ekte innlogging skjer her,
og alle fødselsnumre er syntetiske.</p>
<p>Tjenesten <strong>${esc(params.client_id)}</strong> ber deg logge inn.</p>
${errorText ? `<p role="alert"><strong>${esc(errorText)}</strong></p>` : ''}
${signedIn ? `<p>Du er logget inn som ${esc(`${signedIn.given_name} ${signedIn.family_name}`)}.</p>` : ''}
<form method="post" action="${prefix}/interaction/${esc(uid)}/login">
${levelField}
<fieldset>
<legend>${details ? 'Velg hvem du vil representere' : 'Velg testperson'}</legend>
<ul>
${choices.map((choice) => `<li><button type="submit" name="login" value="${esc(choice.value)}">${esc(choice.label)}</button>
${esc(choice.note)}</li>`).join('\n')}
</ul>
</fieldset>
</form>`);
  }

  async function finish(req, res, interaction, person, acr, organization) {
    const { params, prompt } = interaction;
    const grant = new provider.Grant({ accountId: person.sub, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    const grantId = await grant.save();
    localeByGrant.set(grantId, localeFrom(params.ui_locales));
    const details = ansatt ? requestedDetails(params) : undefined;
    if (details) detailsByGrant.set(grantId, details.map((detail) => grantedDetail(detail, organization)));
    const result = { consent: { grantId } };
    if (prompt.name === 'login') result.login = { accountId: person.sub, acr, amr: AMR, remember: true };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  async function interaction(req, res, uid, action) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction session mismatch');
    const { prompt, params, session } = details;
    const rar = ansatt ? requestedDetails(params) : undefined;

    if (req.method === 'GET' && !action) {
      // Signed in already and nothing to choose: consent is implicit for these clients.
      if (prompt.name === 'consent' && !rar) {
        return finish(req, res, details, personBySub.get(session.accountId), session.acr);
      }
      return send(res, 200, loginPage(details));
    }
    if (req.method !== 'POST' || action !== 'login') {
      return send(res, 405, page('Ikke tillatt', '<h1>Ikke tillatt</h1>'));
    }

    const form = await readForm(req);
    const [key, orgno] = (form.get('login') || '').split(':');
    const person = personByKey.get(key);
    const acr = prompt.name === 'consent' ? session.acr : form.get('acr');
    let problem;
    if (!person || (prompt.name === 'consent' && person.sub !== session.accountId)) problem = 'Velg en testperson.';
    else if (!LEVELS.includes(acr) || levelRank(acr) < levelRank(minimumLevel(params.acr_values))) {
      problem = 'Velg et sikkerhetsnivå tjenesten godtar.';
    }
    const organization = orgno && person?.organizations.find((org) => org.orgno === orgno);
    if (!problem && rar) {
      if (orgno && !organization) problem = 'Personen kan ikke representere den virksomheten.';
      if (!orgno && rar.some((detail) => detail.representation_is_required === true)) {
        problem = 'Tjenesten krever at du representerer en virksomhet.';
      }
    }
    if (problem) return send(res, 400, loginPage(details, problem));
    return finish(req, res, details, person, acr, rar ? organization : undefined);
  }

  return { prefix, provider, callback: provider.callback(), interaction };
}

// --- the server: /idporten/... and /ansattporten/... ---

let issuers = [];
const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(\w+))?\/?$/;

const server = createServer(async (req, res) => {
  const url = req.url || '/';
  const issuer = issuers.find(({ prefix }) => url === prefix || url.startsWith(`${prefix}/`)
    || url.startsWith(`${prefix}?`));
  if (!issuer) {
    const links = issuers.map(({ provider }) => provider.issuer)
      .map((iss) => `<li><a href="${esc(iss)}/.well-known/openid-configuration">${esc(iss)}</a></li>`);
    return send(res, 404, page('Finnes ikke', `<h1>Finnes ikke</h1><p>Utstedere:</p><ul>${links.join('')}</ul>`));
  }
  const below = url.slice(issuer.prefix.length);
  const rest = below.startsWith('/') ? below : `/${below}`;
  const match = INTERACTION.exec(rest.split('?')[0]);
  if (match) {
    try {
      return await issuer.interaction(req, res, match[1], match[2]);
    } catch (error) {
      const status = error.statusCode || error.status || 500;
      if (status >= 500) console.error(error);
      if (!res.headersSent) {
        const text = esc(error.error_description || error.message);
        return send(res, status, page('Feil', `<h1>Noe gikk galt</h1><p>${text}</p>`));
      }
      return res.end();
    }
  }
  // Mounted as express and koa-mount do: the provider sees the path below its prefix and builds
  // its URLs from originalUrl.
  req.originalUrl = url;
  req.url = rest;
  return issuer.callback(req, res);
});

server.on('error', (error) => {
  console.error(`The OpenID provider could not listen on ${HOST}:${PORT}: ${error.message}`);
  process.exit(1);
});

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  const host = HOST.includes(':') ? `[${HOST}]` : HOST;
  const base = (env.OIDC_BASE_URL || `http://${host}:${port}`).replace(/\/$/, '');
  issuers = ['idporten', 'ansattporten'].map((kind) => makeProvider(kind, base));
  console.log(`ready ${base}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
