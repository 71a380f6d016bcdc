//! Custodian's own work in an OpenID Connect sign-in, without the provider: what the callback
//! does once the provider has answered (WP034 9.1). Each timed sign-in takes the stored state
//! (the `oidc_logins` row), validates an RS256 ID token against a JWKS already fetched
//! (signature, issuer, audience, expiry, nonce), finds the person (by `oid`, or by e-mail the
//! first time, linking them), applies the group-to-role mapping and starts the session, with its
//! audit events, in one transaction. Half the sign-ins after the first round change a role (the
//! person's groups alternate), the worst case.
//!
//! ```sh
//! cargo build --workspace --release --examples
//! target/release/examples/oidc_bench [SIGN_INS] [DATABASE_URL]
//! ```
//!
//! SIGN_INS defaults to 2000; DATABASE_URL to a SQLite file in a temporary folder (give a
//! `postgres://` URL of an empty database for PostgreSQL). Prints p50, p90, p99 and the maximum.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use custodian_domain::people::Role;
use custodian_server::auth::{self, oidc::DirectoryClaims};
use custodian_server::config::{OidcSettings, Settings};
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{
    Audience, EndUserEmail, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce, PrivateSigningKey,
    ProviderMetadataWithLogout, StandardClaims, SubjectIdentifier,
};
use rsa::pkcs1::EncodeRsaPrivateKey;

const PEOPLE: &str = include_str!("../../../fixtures/people.csv");
const ISSUER: &str = "https://login.example.invalid/tenant/v2.0";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2000);
    let dir = tempfile::tempdir()?;
    let database_url = args.next().unwrap_or_else(|| format!("sqlite:{}", dir.path().join("custodian.db").display()));
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database_url: database_url.clone(),
        data_dir: dir.path().to_path_buf(),
        checkpoint_every: 0,
        publish_every_seconds: 0,
        oidc: Some(OidcSettings {
            issuer_url: ISSUER.into(),
            client_id: "custodian".into(),
            client_secret: "bench-secret".into(),
            redirect_url: "https://custodian.example.invalid/oidc/callback".into(),
            post_logout_redirect_url: None,
            scopes: vec!["openid".into(), "email".into()],
            user_id_claim: "oid".into(),
            role_claim: "groups".into(),
            role_mapping: [("g-psd".to_string(), vec![Role::Psd]), ("g-ds".to_string(), vec![Role::DigitalServices])]
                .into_iter()
                .collect(),
            provider_name: "Bench".into(),
            starts_per_address: 300,
        }),
        ..Settings::default()
    };
    let store = custodian_server::open_store(&settings, true).await?;
    let app = custodian_server::Application::build(settings, store).await?;
    let state = app.state().clone();
    let now = time::OffsetDateTime::now_utc();
    custodian_server::imports::import_people(
        state.store(),
        &custodian_store::Actor::system(),
        now,
        PEOPLE.as_bytes(),
        false,
    )
    .await?;
    let people = state.store().people(&Default::default(), 1, 100).await?.items;
    let people: Vec<_> =
        people.into_iter().filter(|p| p.status == custodian_domain::people::PersonStatus::Active).collect();

    // The provider's signing key and its published JWKS, fetched "beforehand".
    let rsa_key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)?;
    let pem = rsa_key.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)?;
    let key = CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new("bench-key".into())))
        .map_err(|e| anyhow::anyhow!(e))?;
    let jwks = CoreJsonWebKeySet::new(vec![key.as_verification_key()]);
    let metadata: ProviderMetadataWithLogout = serde_json::from_value(serde_json::json!({
        "issuer": ISSUER,
        "authorization_endpoint": "https://login.example.invalid/authorize",
        "token_endpoint": "https://login.example.invalid/token",
        "jwks_uri": "https://login.example.invalid/keys",
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))?;
    let oidc = state.oidc().expect("configured");
    oidc.prime(metadata, jwks).await;

    let mut times = Vec::with_capacity(n);
    let mut refused = 0;
    for i in 0..n {
        let p = &people[i % people.len()];
        let round = i / people.len();
        let groups = if round % 2 == 0 { vec!["g-psd".to_string()] } else { vec!["g-other".to_string()] };
        // Untimed: the sign-in under way and the provider's token.
        let st = auth::random_token();
        let nonce = auth::random_token();
        let t = time::OffsetDateTime::now_utc();
        state
            .store()
            .oidc_begin(&auth::sha256_hex(&st), &nonce, "verifier", t, t + time::Duration::minutes(10))
            .await?;
        let issued = chrono::Utc::now();
        let claims = IdTokenClaims::new(
            IssuerUrl::new(ISSUER.into())?,
            vec![Audience::new("custodian".into())],
            issued + chrono::Duration::hours(1),
            issued,
            StandardClaims::new(SubjectIdentifier::new(format!("pairwise-{}", p.staff_number)))
                .set_email(Some(EndUserEmail::new(p.email.clone()))),
            DirectoryClaims { oid: Some(format!("oid-{}", p.staff_number)), groups, roles: vec![] },
        )
        .set_nonce(Some(Nonce::new(nonce.clone())));
        let token =
            auth::oidc::DirectoryIdToken::new(claims, &key, CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, None, None)?
                .to_string();

        let start = Instant::now();
        let login = state.store().oidc_take(&auth::sha256_hex(&st)).await?.expect("the sign-in under way");
        let id = oidc.validate(&token, &login.nonce).await.map_err(|e| anyhow::anyhow!(e))?;
        let at = time::OffsetDateTime::now_utc();
        let r = custodian_server::accounts::ui::finish_oidc_sign_in(&state, oidc, id, token, "127.0.0.1", at)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        times.push(start.elapsed());
        if r.is_err() {
            refused += 1;
        }
    }
    times.sort();
    let pct = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
    let backend = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "OIDC callback (take state + validate ID token + person mapping + session), {backend}, {n} sign-ins of {} people, {refused} refused",
        people.len()
    );
    println!(
        "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.90).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
    Ok(())
}
