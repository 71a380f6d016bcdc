//! The policy sources compiled into the binary, and the conventions every policy keeps (an
//! `@id`, an `@clause` naming a clause of WP034, and a `// WP034 x.y:` comment).

use cedar_policy::PolicyId;

pub(crate) const SCHEMA_SRC: &str = include_str!("../../../policies/custodian.cedarschema");

/// The policy files compiled into the binary, by name.
pub(crate) const EMBEDDED_POLICIES: &[(&str, &str)] = &[
    ("everyone.cedar", include_str!("../../../policies/everyone.cedar")),
    ("people.cedar", include_str!("../../../policies/people.cedar")),
    ("devices.cedar", include_str!("../../../policies/devices.cedar")),
    ("findings.cedar", include_str!("../../../policies/findings.cedar")),
    ("monitoring.cedar", include_str!("../../../policies/monitoring.cedar")),
    ("screening.cedar", include_str!("../../../policies/screening.cedar")),
    ("policy.cedar", include_str!("../../../policies/policy.cedar")),
    ("declarations.cedar", include_str!("../../../policies/declarations.cedar")),
    ("audit.cedar", include_str!("../../../policies/audit.cedar")),
    ("admin.cedar", include_str!("../../../policies/admin.cedar")),
    ("approvals.cedar", include_str!("../../../policies/approvals.cedar")),
    ("apps.cedar", include_str!("../../../policies/apps.cedar")),
    ("posts.cedar", include_str!("../../../policies/posts.cedar")),
    ("usage.cedar", include_str!("../../../policies/usage.cedar")),
    ("data_protection.cedar", include_str!("../../../policies/data_protection.cedar")),
    ("vault.cedar", include_str!("../../../policies/vault.cedar")),
    ("social_accounts.cedar", include_str!("../../../policies/social_accounts.cedar")),
    ("comments.cedar", include_str!("../../../policies/comments.cedar")),
];

/// Whether `id` is a numbered clause of WP034 (the clauses of the compiled-in policy pack, which
/// its tests hold to the printed policy), so that an `@clause` may name it. The second of a
/// repeated number ("7.3-2") is the pack's own id, not one the policy prints.
pub(crate) fn is_wp034_clause(id: &str) -> bool {
    !id.contains('-') && custodian_domain::policy::wp034().clauses.iter().any(|c| c.id == id)
}

/// The position Cedar gave a policy when parsing a file ("policy3" is the fourth).
pub(crate) fn policy_position(id: &PolicyId) -> usize {
    id.to_string().strip_prefix("policy").and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)
}

/// The block of `//` comment lines right above `body` in `src` (no blank line between), or
/// `None` if `body` is not in `src`.
pub(crate) fn preceding_comment(src: &str, body: &str) -> Option<String> {
    let start = src.find(body)?;
    let before = src.get(..start)?;
    let mut lines: Vec<&str> = before.lines().collect();
    // The line the policy starts on, up to the policy (normally empty).
    if !before.ends_with('\n') {
        lines.pop();
    }
    let block: Vec<&str> = lines.iter().rev().take_while(|l| l.trim_start().starts_with("//")).copied().collect();
    Some(block.into_iter().rev().map(str::trim_end).collect::<Vec<_>>().join("\n"))
}
