//! OpenID Connect sign-in with the force's identity provider (Microsoft Entra ID or any certified
//! provider): WP034 9.1 (take care of the credentials that reach police systems: one force
//! credential, checked by the force's directory, instead of another password), 4.1 (whoever uses
//! a force system does so with their own login credentials: a directory account is linked to one
//! person only) and 1.2 (the force decides who may use its systems and tools: roles come from the
//! directory's groups or app roles through the mapping in the configuration).
//!
//! The flow is the authorisation code flow with PKCE (S256), `state` and `nonce`. The state's
//! SHA-256, the nonce and the PKCE verifier are kept in the database (`oidc_logins`) until the
//! callback takes them, once: a state, and the nonce bound to it, cannot be replayed, on this
//! server or another. The browser also carries the state in a short-lived cookie, so a callback
//! only completes in the browser that started it (no login CSRF).
//!
//! The ID token is validated by the `openidconnect` crate against the provider's JWKS: the
//! signature (RS256 and the algorithms the provider announces, never `none` or a MAC), the
//! issuer, the audience (this client), the expiry and the nonce. Discovery and the JWKS are
//! fetched on first use and kept; a token signed with a key the cached set does not hold (key
//! rotation) fetches the set again, at most once every [`JWKS_REFETCH_EVERY`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use custodian_domain::people::Role;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl, IdToken, IdTokenVerifier,
    IssuerUrl, JsonWebKey, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

use crate::config::OidcSettings;

/// How long a sign-in may take at the provider before its state expires.
pub const LOGIN_TTL_MINUTES: i64 = 10;

/// The pre-callback cookie: the state, sent back only to the callback.
pub const OIDC_COOKIE: &str = "custodian_oidc";

/// A token signed with an unknown key fetches the provider's keys again at most this often, so a
/// stream of forged `kid`s cannot make Custodian hammer the provider.
pub const JWKS_REFETCH_EVERY: Duration = Duration::from_secs(60);

/// The claims Entra ID adds to the standard ones: the user's object id, and the groups or app
/// roles the user holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DirectoryClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}
impl AdditionalClaims for DirectoryClaims {}

pub type DirectoryIdToken =
    IdToken<DirectoryClaims, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// Why a sign-in through the provider failed before Custodian looked for the person. The
/// message is for the service log and the audit; people see a plain sentence.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the sign-in had expired or was already used")]
    UnknownState,
    #[error("the provider refused the sign-in: {0}")]
    Provider(String),
    #[error("the ID token was refused: {0}")]
    Token(String),
}

/// The provider as discovered: its metadata and its current keys.
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    jwks: CoreJsonWebKeySet,
}

/// Who a valid ID token says signed in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    /// The directory's stable id (the `oid` claim, or `sub` when so configured).
    pub subject: String,
    pub email: Option<String>,
    /// The values of the configured role claim (`groups` or `roles`).
    pub claim_values: Vec<String>,
}

/// OpenID Connect sign-in: the configuration, an HTTP client for the provider (no redirects
/// followed, a time-out), and the discovered provider.
pub struct Oidc {
    cfg: OidcSettings,
    http: reqwest::Client,
    discovered: RwLock<Option<Arc<Discovered>>>,
    last_refetch: Mutex<Option<Instant>>,
}

/// Where to send the browser, and the state its cookie must carry back.
pub struct Begin {
    pub url: String,
    pub state: String,
    pub state_hash: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// This client at the discovered provider, with its redirect URI (a macro, because the client's
/// type carries which endpoints are set).
macro_rules! client {
    ($oidc:expr, $d:expr) => {
        CoreClient::from_provider_metadata(
            $d.metadata.clone(),
            ClientId::new($oidc.cfg.client_id.clone()),
            Some(ClientSecret::new($oidc.cfg.client_secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new($oidc.cfg.redirect_url.clone()).map_err(|e| OidcError::Provider(e.to_string()))?,
        )
    };
}

impl Oidc {
    pub fn new(cfg: OidcSettings) -> anyhow::Result<Self> {
        cfg.check().map_err(|e| anyhow::anyhow!("[oidc] {e}"))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { cfg, http, discovered: RwLock::new(None), last_refetch: Mutex::new(None) })
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.cfg
    }

    /// Use an already fetched provider metadata and key set (the benchmark, and tests that time
    /// Custodian's own work without the provider).
    pub async fn prime(&self, metadata: ProviderMetadataWithLogout, jwks: CoreJsonWebKeySet) {
        *self.discovered.write().await = Some(Arc::new(Discovered { metadata, jwks }));
    }

    async fn provider(&self) -> Result<Arc<Discovered>, OidcError> {
        if let Some(d) = self.discovered.read().await.as_ref() {
            return Ok(d.clone());
        }
        let mut slot = self.discovered.write().await;
        if let Some(d) = slot.as_ref() {
            return Ok(d.clone());
        }
        let issuer = IssuerUrl::new(self.cfg.issuer_url.clone()).map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(describe(&e)))?;
        let jwks = metadata.jwks().clone();
        tracing::info!(issuer = %self.cfg.issuer_url, keys = jwks.keys().len(), "OpenID provider discovered");
        let d = Arc::new(Discovered { metadata, jwks });
        *slot = Some(d.clone());
        Ok(d)
    }

    /// Start a sign-in: the provider's authorisation URL with a fresh state, nonce and PKCE
    /// challenge (S256). The caller stores the state's hash, nonce and verifier.
    pub async fn begin(&self) -> Result<Begin, OidcError> {
        let d = self.provider().await?;
        let client = client!(self, d);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge);
        for s in self.cfg.scopes.iter().filter(|s| s.as_str() != "openid") {
            req = req.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = req.url();
        Ok(Begin {
            url: url.to_string(),
            state_hash: super::identity::sha256_hex(state.secret()),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchange the authorisation code (with the PKCE verifier) for the ID token, as text.
    pub async fn exchange(&self, code: &str, pkce_verifier: &str) -> Result<String, OidcError> {
        let d = self.provider().await?;
        let client = client!(self, d);
        let res = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Provider(describe(&e)))?;
        let token = res.id_token().ok_or_else(|| OidcError::Token("the token response has no id_token".into()))?;
        Ok(token.to_string())
    }

    /// Validate an ID token for this client and the sign-in's nonce: signature against the
    /// provider's keys (fetched again once when the token names a key they lack), issuer,
    /// audience, expiry, nonce; then read who it names.
    pub async fn validate(&self, raw: &str, nonce: &str) -> Result<Identity, OidcError> {
        let token: DirectoryIdToken = raw.parse().map_err(|e| OidcError::Token(format!("not a JWT: {e}")))?;
        let mut d = self.provider().await?;
        if !self.knows_key(&d.jwks, raw) {
            d = self.refetch_keys(d).await?;
        }
        self.validate_with(&d, &token, nonce)
    }

    fn validate_with(&self, d: &Discovered, token: &DirectoryIdToken, nonce: &str) -> Result<Identity, OidcError> {
        let algs: Vec<CoreJwsSigningAlgorithm> = d
            .metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|a| {
                !matches!(
                    a,
                    CoreJwsSigningAlgorithm::None
                        | CoreJwsSigningAlgorithm::HmacSha256
                        | CoreJwsSigningAlgorithm::HmacSha384
                        | CoreJwsSigningAlgorithm::HmacSha512
                )
            })
            .cloned()
            .collect();
        let verifier: IdTokenVerifier<'_, CoreJsonWebKey> = IdTokenVerifier::new_public_client(
            ClientId::new(self.cfg.client_id.clone()),
            d.metadata.issuer().clone(),
            d.jwks.clone(),
        )
        .set_allowed_algs(if algs.is_empty() {
            vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256]
        } else {
            algs
        });
        let nonce = Nonce::new(nonce.to_string());
        let claims = token.claims(&verifier, &nonce).map_err(|e| OidcError::Token(e.to_string()))?;
        let extra = claims.additional_claims();
        let subject = if self.cfg.user_id_claim == "sub" {
            claims.subject().to_string()
        } else {
            extra.oid.clone().ok_or_else(|| OidcError::Token("the ID token has no oid claim".into()))?
        };
        let email = claims
            .email()
            .map(|e| e.to_string())
            .or_else(|| claims.preferred_username().map(|u| u.to_string()).filter(|u| u.contains('@')));
        let claim_values = if self.cfg.role_claim == "roles" { extra.roles.clone() } else { extra.groups.clone() };
        Ok(Identity { issuer: claims.issuer().to_string(), subject, email, claim_values })
    }

    /// Whether the cached key set holds the key the token's header names (or, with no `kid`,
    /// any key at all).
    fn knows_key(&self, jwks: &CoreJsonWebKeySet, raw: &str) -> bool {
        match header_kid(raw) {
            Some(kid) => jwks.keys().iter().any(|k| k.key_id().is_some_and(|id| id.as_str() == kid)),
            None => !jwks.keys().is_empty(),
        }
    }

    async fn refetch_keys(&self, d: Arc<Discovered>) -> Result<Arc<Discovered>, OidcError> {
        let mut last = self.last_refetch.lock().await;
        if last.is_some_and(|t| t.elapsed() < JWKS_REFETCH_EVERY) {
            return Ok(d);
        }
        *last = Some(Instant::now());
        let jwks = CoreJsonWebKeySet::fetch_async(d.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(describe(&e)))?;
        tracing::info!(issuer = %self.cfg.issuer_url, keys = jwks.keys().len(), "OpenID provider keys fetched again");
        let fresh = Arc::new(Discovered { metadata: d.metadata.clone(), jwks });
        *self.discovered.write().await = Some(fresh.clone());
        Ok(fresh)
    }

    /// The roles the mapping governs, and those the claim's values grant.
    pub fn map_roles(&self, values: &[String]) -> (Vec<Role>, Vec<Role>) {
        let mut managed: Vec<Role> = self.cfg.role_mapping.values().flatten().copied().collect();
        managed.sort();
        managed.dedup();
        let mut granted: Vec<Role> =
            values.iter().filter_map(|v| self.cfg.role_mapping.get(v)).flatten().copied().collect();
        granted.sort();
        granted.dedup();
        (managed, granted)
    }

    /// RP-initiated sign-out: the provider's end-session URL with the session's ID token as a
    /// hint and the configured return address, when the provider has one.
    pub async fn end_session_url(&self, id_token: Option<&str>) -> Option<String> {
        let d = self.provider().await.ok()?;
        let endpoint: EndSessionUrl = d.metadata.additional_metadata().end_session_endpoint.clone()?;
        let mut req = LogoutRequest::from(endpoint).set_client_id(ClientId::new(self.cfg.client_id.clone()));
        if let Some(t) = id_token.and_then(|t| t.parse::<DirectoryIdToken>().ok()) {
            req = req.set_id_token_hint(&t);
        }
        if let Some(u) =
            self.cfg.post_logout_redirect_url.as_deref().and_then(|u| PostLogoutRedirectUrl::new(u.into()).ok())
        {
            req = req.set_post_logout_redirect_uri(u);
        }
        Some(req.http_get_url().to_string())
    }
}

/// The `kid` in a compact JWS's header, read without trusting it (only to pick a key).
fn header_kid(raw: &str) -> Option<String> {
    use base64::Engine;
    let head = raw.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(head.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("kid")?.as_str().map(str::to_string)
}

/// An error with its causes, for the log.
fn describe(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// The pre-callback cookie carrying the state, sent to the callback only. `SameSite=Lax`: the
/// provider sends the browser back with a top-level GET from another site.
pub fn state_cookie(state: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{OIDC_COOKIE}={state}; Path=/oidc/callback; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        LOGIN_TTL_MINUTES * 60
    )
}

pub fn clear_state_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{OIDC_COOKIE}=; Path=/oidc/callback; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}
