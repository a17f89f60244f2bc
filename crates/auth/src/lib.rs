//! Accounts and permissions: roles, what each role may do, password hashing (argon2id)
//! and the random secrets behind sessions and API tokens.
//!
//! No I/O beyond drawing randomness from the operating system, and no clock: callers pass
//! the time. Where a permission is checked is the web crate's business; *what* each role
//! may do is decided here, in one place.

mod throttle;

use std::fmt;
use std::str::FromStr;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use chainatlas_model::EnterpriseId;
use password_hash::rand_core::{OsRng, RngCore};
use password_hash::SaltString;
use sha2::{Digest, Sha256};

pub use throttle::{Attempt, Refused, Throttle, ThrottleLimits};

/// What a user is allowed to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages users; everything an analyst may do.
    Admin,
    /// Chain office staff: reads all data, runs analyses, manages chains, events, agreements.
    Analyst,
    /// Bound to one enterprise: its own data, and other enterprises' public profiles.
    Enterprise,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Analyst, Role::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Enterprise => "enterprise",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role: expected admin, analyst or enterprise")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Who is asking: a signed-in user or a token's owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The enterprise an `enterprise` user acts for.
    pub enterprise: Option<EnterpriseId>,
}

/// Things a principal may or may not do. Reading the atlas's public part (chains, nodes,
/// enterprise names, regions, tags, counts) is open to every signed-in user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Supply relations, their values, output, capacity, revenue, contact details of
    /// every enterprise.
    ReadAllPrivateData,
    /// Manage users and read the audit log.
    ManageUsers,
    /// Run diagnostics and manage chains, events and agreements.
    Analyse,
    /// Create and run docking events: registrations, requests and meetings for anyone,
    /// schedules, agreements of any enterprise.
    OrganiseEvents,
}

impl Principal {
    pub fn may(&self, permission: Permission) -> bool {
        match permission {
            Permission::ReadAllPrivateData | Permission::Analyse | Permission::OrganiseEvents => {
                matches!(self.role, Role::Admin | Role::Analyst)
            }
            Permission::ManageUsers => self.role == Role::Admin,
        }
    }

    /// Whether this principal may see the private data (relations, values, contacts) of
    /// `enterprise`: staff may see everyone's, an enterprise user only its own.
    pub fn may_see_private(&self, enterprise: EnterpriseId) -> bool {
        self.may(Permission::ReadAllPrivateData) || self.enterprise == Some(enterprise)
    }

    /// Whether this principal may write what belongs to `enterprise` (its listings, its
    /// registrations, agreements it is a party to): staff for anyone, an enterprise user
    /// for its own only.
    pub fn may_act_for(&self, enterprise: EnterpriseId) -> bool {
        self.may(Permission::Analyse) || self.enterprise == Some(enterprise)
    }
}

/// Why a password is not accepted as a new password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("is {0} characters long, expected at least {MIN_PASSWORD_CHARS}")]
    TooShort(usize),
    #[error("is {0} characters long, expected at most {MAX_PASSWORD_CHARS}")]
    TooLong(usize),
    /// Common, repetitive, a sequence, or made of the user's own name: guessed early.
    #[error("is too easy to guess ({0}); use a longer passphrase of unrelated words")]
    TooGuessable(String),
}

impl chainatlas_model::Explain for PasswordPolicyError {
    /// The Chinese says why in its own words: zxcvbn's hint exists only in English.
    fn explain(&self) -> chainatlas_model::Text {
        use chainatlas_model::text;
        match self {
            PasswordPolicyError::TooShort(n) => text!(
                "有 {n} 个字符，至少应为 {MIN_PASSWORD_CHARS} 个",
                "is {n} characters long, expected at least {MIN_PASSWORD_CHARS}"
            ),
            PasswordPolicyError::TooLong(n) => text!(
                "有 {n} 个字符，最多 {MAX_PASSWORD_CHARS} 个",
                "is {n} characters long, expected at most {MAX_PASSWORD_CHARS}"
            ),
            PasswordPolicyError::TooGuessable(why) => text!(
                "太容易被猜到（常见密码、重复或连续的字符、日期或用户名）：请用几个不相关的词组成更长的口令",
                "is too easy to guess ({why}); use a longer passphrase of unrelated words"
            ),
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The least zxcvbn score a new password needs: 3 is "safely unguessable", about 10^8
/// guesses or more.
pub const MIN_PASSWORD_SCORE: u8 = 3;

/// Whether `password` may become a password, as NIST SP 800-63B asks: long enough, not
/// too long, and not among the passwords guessed first — common ones, repetitions
/// (`aaaaaaaaaa`), sequences (`1234567890`, `qwertyuiop`), dates, and words of `context`
/// (the username, the product's name). Guessability is zxcvbn's estimate (Dropbox's
/// model, with its lists of common passwords, names and words).
pub fn check_password_policy(password: &str, context: &[&str]) -> Result<(), PasswordPolicyError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooShort(n));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(PasswordPolicyError::TooLong(n));
    }
    let mut words = vec!["chainatlas", "chain", "atlas"];
    words.extend(context.iter().copied().filter(|w| !w.is_empty()));
    let estimate = zxcvbn::zxcvbn(password, &words);
    if u8::from(estimate.score()) < MIN_PASSWORD_SCORE {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map_or_else(|| "too predictable".to_string(), |w| w.to_string());
        return Err(PasswordPolicyError::TooGuessable(why));
    }
    Ok(())
}

/// Signs and checks device cookies: proof that this browser signed in to an account
/// before (OWASP's "device cookies"). Sign-in throttling lets a request that carries one
/// for the account through limits that others' failures at the same address, or
/// elsewhere against the account, have reached. The key is random per process: a
/// restart only makes every browser a new device again.
pub struct DeviceKey {
    key: [u8; 32],
}

impl Default for DeviceKey {
    fn default() -> Self {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        DeviceKey { key }
    }
}

impl DeviceKey {
    fn mac(&self, username: &str, nonce: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(username.as_bytes());
        mac.update(b"\0");
        mac.update(nonce.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A device cookie's value for `username`.
    pub fn issue(&self, username: &str) -> String {
        let nonce = new_secret("");
        let mac = self.mac(username, &nonce[..32]);
        format!("{}.{mac}", &nonce[..32])
    }

    /// Whether `cookie` was issued by this key for `username`.
    pub fn verify(&self, cookie: &str, username: &str) -> bool {
        cookie
            .split_once('.')
            .filter(|(nonce, _)| nonce.len() == 32)
            .is_some_and(|(nonce, mac)| constant_time_eq(&self.mac(username, nonce), mac))
    }
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes) and a random
/// salt, as a PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any input")
        .to_string()
}

/// Whether `password` matches a PHC hash made by [`hash_password`]. A malformed hash
/// matches nothing.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A new random secret (256 bits), as 64 hex characters, with a prefix that says what it
/// is (`ca_session_…`, `ca_token_…`) so that a leaked one is recognisable.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut secret = String::with_capacity(prefix.len() + 64);
    secret.push_str(prefix);
    for b in bytes {
        secret.push_str(&format!("{b:02x}"));
    }
    secret
}

/// What the database keeps of a session cookie or API token: its SHA-256. The secrets
/// carry 256 random bits, so a fast hash is enough; a stolen database does not yield a
/// usable secret.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two strings in time independent of where they differ (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role, enterprise: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            enterprise: enterprise.map(EnterpriseId),
        }
    }

    #[test]
    fn each_role_gets_what_it_is_for() {
        let admin = principal(Role::Admin, None);
        let analyst = principal(Role::Analyst, None);
        let firm = principal(Role::Enterprise, Some(7));
        assert!(admin.may(Permission::ManageUsers) && !analyst.may(Permission::ManageUsers));
        assert!(
            analyst.may(Permission::ReadAllPrivateData)
                && !firm.may(Permission::ReadAllPrivateData)
        );
        assert!(firm.may_see_private(EnterpriseId(7)));
        assert!(!firm.may_see_private(EnterpriseId(8)));
        assert!(analyst.may_see_private(EnterpriseId(8)));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password("not a hash", "anything"));
        assert_ne!(hash, hash_password("correct horse battery"), "salted");
    }

    #[test]
    fn password_policy_names_the_length() {
        assert_eq!(
            check_password_policy("short", &[]).unwrap_err().to_string(),
            "is 5 characters long, expected at least 10"
        );
        assert!(check_password_policy("长城脚下的三棵老槐树开花了", &[]).is_ok());
        assert!(check_password_policy("correct horse battery staple", &["chen"]).is_ok());
    }

    #[test]
    fn password_policy_refuses_what_is_guessed_first() {
        for weak in [
            "aaaaaaaaaa",
            "1234567890",
            "qwertyuiop",
            "password123",
            "chainatlas2024",
            "chenwei123456",
            "1qaz2wsx3edc",
        ] {
            assert!(
                matches!(
                    check_password_policy(weak, &["chenwei"]),
                    Err(PasswordPolicyError::TooGuessable(_))
                ),
                "{weak} was accepted"
            );
        }
        let generated = new_password();
        assert_eq!(check_password_policy(&generated, &["admin"]), Ok(()));
    }

    #[test]
    fn device_cookies_are_bound_to_their_account_and_key() {
        let key = DeviceKey::default();
        let cookie = key.issue("chen");
        assert!(key.verify(&cookie, "chen"));
        assert!(!key.verify(&cookie, "wang"), "another account");
        assert!(!DeviceKey::default().verify(&cookie, "chen"), "another key");
        let forged = format!("{}.{}", &cookie[..32], "0".repeat(64));
        assert!(!key.verify(&forged, "chen"));
        assert!(!key.verify("", "chen") && !key.verify("x.y", "chen"));
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret("ca_token_");
        assert!(a.starts_with("ca_token_") && a.len() == 9 + 64);
        assert_ne!(a, new_secret("ca_token_"));
        assert_eq!(secret_hash(&a).len(), 64);
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert!(
            constant_time_eq("abc", "abc")
                && !constant_time_eq("abc", "abd")
                && !constant_time_eq("abc", "ab")
        );
    }
}

/// A new random password for a person to type: 16 characters from an alphabet without
/// look-alikes (no 0/O, 1/l/I), about 94 bits.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    // 256 is not a multiple of 56; the slight bias costs well under a bit of entropy.
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod password_tests {
    #[test]
    fn generated_passwords_pass_the_policy() {
        let p = super::new_password();
        assert_eq!(p.chars().count(), 16);
        assert!(super::check_password_policy(&p, &[]).is_ok());
        assert_ne!(p, super::new_password());
    }
}
