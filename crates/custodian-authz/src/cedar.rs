//! The Cedar glue: loading and validating the policies, the entities of a request, and the
//! decision.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId,
    PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
use uuid::Uuid;

use crate::sources::{EMBEDDED_POLICIES, SCHEMA_SRC, is_wp034_clause, policy_position, preceding_comment};
use crate::{Action, AuthzError, Decision, NAMESPACE, Principal, Resource, ResourceKind, Role, SCHEMA_FILE};

/// The id of the single [`Resource::System`] entity.
const SYSTEM_ID: &str = "custodian";

/// What the loader keeps about each policy.
#[derive(Debug, Clone)]
struct PolicyMeta {
    id: String,
    clause: String,
    /// The `// WP034` comment and the policy text, as in the file.
    text: String,
}

/// Entity type names and uids, built once so decisions do not re-parse them.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    person: EntityTypeName,
    device: EntityTypeName,
    finding: EntityTypeName,
    monitoring_case: EntityTypeName,
    social_account: EntityTypeName,
    system: EntityUid,
    /// Indexed by [`Action::index`].
    actions: Vec<EntityUid>,
    /// In the order of [`Role::ALL`].
    pub(crate) roles: Vec<(Role, EntityUid)>,
}

impl Vocabulary {
    pub(crate) fn new() -> Result<Self, AuthzError> {
        let name = |ty: &str| {
            EntityTypeName::from_str(&format!("{NAMESPACE}::{ty}")).map_err(|e| AuthzError::Schema(e.to_string()))
        };
        let action_type = name("Action")?;
        let role_type = name("Role")?;
        Ok(Self {
            person: name(ResourceKind::Person.as_str())?,
            device: name(ResourceKind::Device.as_str())?,
            finding: name(ResourceKind::Finding.as_str())?,
            monitoring_case: name(ResourceKind::MonitoringCase.as_str())?,
            social_account: name(ResourceKind::SocialAccount.as_str())?,
            system: EntityUid::from_type_name_and_id(name(ResourceKind::System.as_str())?, EntityId::new(SYSTEM_ID)),
            actions: Action::ALL
                .iter()
                .map(|a| EntityUid::from_type_name_and_id(action_type.clone(), EntityId::new(a.as_str())))
                .collect(),
            roles: Role::ALL
                .iter()
                .map(|r| (*r, EntityUid::from_type_name_and_id(role_type.clone(), EntityId::new(r.as_str()))))
                .collect(),
        })
    }

    fn person(&self, id: Uuid) -> EntityUid {
        let mut buf = Uuid::encode_buffer();
        EntityUid::from_type_name_and_id(self.person.clone(), EntityId::new(id.hyphenated().encode_lower(&mut buf)))
    }

    fn role(&self, role: Role) -> Option<&EntityUid> {
        self.roles.iter().find(|(r, _)| *r == role).map(|(_, uid)| uid)
    }

    pub(crate) fn action(&self, action: Action) -> Option<&EntityUid> {
        self.actions.get(action.index())
    }

    fn resource_type(&self, kind: ResourceKind) -> &EntityTypeName {
        match kind {
            ResourceKind::System => self.system.type_name(),
            ResourceKind::Person => &self.person,
            ResourceKind::Device => &self.device,
            ResourceKind::Finding => &self.finding,
            ResourceKind::MonitoringCase => &self.monitoring_case,
            ResourceKind::SocialAccount => &self.social_account,
        }
    }
}

/// The request Cedar evaluates: principal, resource and the entities they need.
pub(crate) struct RequestParts {
    pub(crate) principal: EntityUid,
    pub(crate) resource: EntityUid,
    pub(crate) entities: Vec<Entity>,
}

/// Custodian's loaded, validated permission policies. Build it once at start-up and share it
/// (it is `Send + Sync`); each [`Authz::decide`] is independent.
pub struct Authz {
    pub(crate) schema: Schema,
    /// Every policy, as validated.
    pub(crate) policies: PolicySet,
    /// For each action (by [`Action::index`]), the policies whose action scope can match it:
    /// a decision evaluates only those. Same answers as the whole set, a fraction of the work.
    by_action: Vec<PolicySet>,
    pub(crate) authorizer: Authorizer,
    pub(crate) vocabulary: Vocabulary,
    /// In file order.
    meta: Vec<PolicyMeta>,
    /// `@id` to its index in `meta`.
    by_id: HashMap<String, usize>,
}

impl std::fmt::Debug for Authz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authz").field("policies", &self.meta.iter().map(|m| &m.id).collect::<Vec<_>>()).finish()
    }
}

impl Authz {
    /// Loads the policies compiled into the binary and validates them against the schema in
    /// strict mode.
    ///
    /// # Errors
    /// If the schema or a policy does not parse, a policy breaks the conventions (see
    /// [`AuthzError::Convention`]) or the policies do not validate.
    pub fn load() -> Result<Self, AuthzError> {
        let files: Vec<(String, String)> =
            EMBEDDED_POLICIES.iter().map(|(name, src)| ((*name).to_string(), (*src).to_string())).collect();
        Self::from_sources(SCHEMA_SRC, &files)
    }

    /// Loads `custodian.cedarschema` and every `*.cedar` file (in name order) from `dir`, for
    /// operators who edit the policies, with the same checks as [`Authz::load`].
    ///
    /// # Errors
    /// As [`Authz::load`], and if a file cannot be read or there is no policy file.
    pub fn from_dir(dir: &Path) -> Result<Self, AuthzError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| AuthzError::Io { path, source }
        };
        let schema_path = dir.join(SCHEMA_FILE);
        let schema = std::fs::read_to_string(&schema_path).map_err(io(&schema_path))?;
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.extension().is_some_and(|e| e == "cedar") && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(AuthzError::NoPolicies(dir.to_path_buf()));
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let src = std::fs::read_to_string(&path).map_err(io(&path))?;
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            files.push((name, src));
        }
        Self::from_sources(&schema, &files)
    }

    /// Parses, checks and validates a schema and `(file name, source)` policy files.
    pub(crate) fn from_sources(schema_src: &str, files: &[(String, String)]) -> Result<Self, AuthzError> {
        let (schema, _warnings) =
            Schema::from_cedarschema_str(schema_src).map_err(|e| AuthzError::Schema(e.to_string()))?;
        let vocabulary = Vocabulary::new()?;
        check_schema_actions(&schema, &vocabulary)?;

        let mut policies = PolicySet::new();
        let mut meta = Vec::new();
        let mut by_id = HashMap::new();
        for (file, src) in files {
            let parsed = PolicySet::from_str(src)
                .map_err(|e| AuthzError::Parse { file: file.clone(), message: e.to_string() })?;
            if parsed.templates().next().is_some() {
                return Err(AuthzError::Parse {
                    file: file.clone(),
                    message: "templates (policies with ?principal or ?resource) are not supported".into(),
                });
            }
            // Cedar numbers policies per file ("policy0", ...); order them as in the file.
            let mut in_file: Vec<_> = parsed.policies().collect();
            in_file.sort_by_key(|p| policy_position(p.id()));
            for (n, policy) in in_file.into_iter().enumerate() {
                let convention = |policy: &str, message: String| AuthzError::Convention {
                    file: file.clone(),
                    policy: policy.to_string(),
                    message,
                };
                let nth = format!("#{}", n + 1);
                let id = match policy.annotation("id") {
                    Some(id) if !id.trim().is_empty() => id.to_string(),
                    _ => return Err(convention(&nth, "has no @id(\"...\") annotation".into())),
                };
                let clause = match policy.annotation("clause") {
                    Some(c) if is_wp034_clause(c) => c.to_string(),
                    Some(c) => return Err(convention(&id, format!("@clause(\"{c}\") is not a clause of WP034"))),
                    None => return Err(convention(&id, "has no @clause(\"x.y\") annotation".into())),
                };
                let body = policy.to_string();
                let comment = preceding_comment(src, &body)
                    .ok_or_else(|| convention(&id, "cannot find the policy's text in the file".into()))?;
                let marker = format!("// WP034 {clause}:");
                if !comment.lines().any(|l| l.trim_start().starts_with(&marker)) {
                    return Err(convention(&id, format!("needs a `{marker} why` comment right above it")));
                }
                if by_id.contains_key(&id) {
                    return Err(convention(&id, "the @id is used by another policy".into()));
                }
                policies.add(policy.new_id(PolicyId::new(&id))).map_err(|e| convention(&id, e.to_string()))?;
                let text = if comment.is_empty() { body } else { format!("{comment}\n{body}") };
                by_id.insert(id.clone(), meta.len());
                meta.push(PolicyMeta { id, clause, text });
            }
        }
        if meta.is_empty() {
            return Err(AuthzError::Validation("there are no policies: everything would be denied".into()));
        }

        let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !result.validation_passed() {
            let errors: Vec<String> = result.validation_errors().map(ToString::to_string).collect();
            return Err(AuthzError::Validation(errors.join("; ")));
        }

        let by_action = partition_by_action(&policies, &vocabulary)?;
        Ok(Self { schema, policies, by_action, authorizer: Authorizer::new(), vocabulary, meta, by_id })
    }

    /// Decides whether `principal` may do `action` to `resource`, and which policies decided.
    /// Default deny; a forbid beats any permit; an action asked about the wrong kind of
    /// resource is denied.
    pub fn decide(&self, principal: &Principal, action: Action, resource: &Resource) -> Decision {
        let Some(response) = self.evaluate(principal, action, resource) else {
            return Decision::default_deny();
        };
        let mut policies: Vec<String> = response.diagnostics().reason().map(ToString::to_string).collect();
        policies.sort_unstable();
        let clauses = policies
            .iter()
            .map(|id| self.by_id.get(id).and_then(|&i| self.meta.get(i)).map(|m| m.clause.clone()).unwrap_or_default())
            .collect();
        Decision { allowed: response.decision() == cedar_policy::Decision::Allow, policies, clauses }
    }

    /// Whether `principal` may do `action` to `resource`; [`Authz::decide`] without the reasons.
    pub fn is_allowed(&self, principal: &Principal, action: Action, resource: &Resource) -> bool {
        self.evaluate(principal, action, resource).is_some_and(|r| r.decision() == cedar_policy::Decision::Allow)
    }

    /// Every policy as `(@id, @clause, source text)`, the text including its `// WP034` comment,
    /// in file order: for the policy page and for operators.
    pub fn policy_texts(&self) -> Vec<(String, String, String)> {
        self.meta.iter().map(|m| (m.id.clone(), m.clause.clone(), m.text.clone())).collect()
    }

    /// The validated schema, for tools that analyse the policies. Decisions go through
    /// [`Authz::decide`].
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The whole validated policy set, each policy under its `@id`, for tools that analyse the
    /// policies. Decisions go through [`Authz::decide`].
    pub fn policy_set(&self) -> &PolicySet {
        &self.policies
    }

    /// Runs Cedar on one request; `None` when the request cannot be formed (wrong resource
    /// kind), which callers treat as deny.
    pub(crate) fn evaluate(
        &self,
        principal: &Principal,
        action: Action,
        resource: &Resource,
    ) -> Option<cedar_policy::Response> {
        if action.resource_kind() != resource.kind() {
            return None;
        }
        let action_uid = self.vocabulary.action(action)?.clone();
        let policies = self.by_action.get(action.index())?;
        let parts = self.request_parts(principal, resource)?;
        // No schema here: the loader checked that the schema types each action exactly as
        // `Action::resource_kind` does, the kinds were compared above, and the entities are
        // built from typed values (the tests check them against the schema).
        let entities = Entities::from_entities(parts.entities, None).ok()?;
        let request = Request::new(parts.principal, action_uid, parts.resource, Context::empty(), None).ok()?;
        Some(self.authorizer.is_authorized(&request, policies, &entities))
    }

    /// Builds the request's entities: the principal (its roles as parents), the resource with
    /// its relations, and each person the resource refers to as a plain entity. A person who
    /// appears more than once (the principal is the holder, the person viewed is the principal,
    /// ...) is one entity.
    pub(crate) fn request_parts(&self, principal: &Principal, resource: &Resource) -> Option<RequestParts> {
        let v = &self.vocabulary;
        let principal_uid = v.person(principal.id);
        let parents: HashSet<EntityUid> = principal.roles.iter().filter_map(|r| v.role(*r)).cloned().collect();
        let mut principal_attrs: HashMap<String, RestrictedExpression> = HashMap::new();
        if let Some(area) = &principal.business_area {
            principal_attrs.insert("business_area".into(), RestrictedExpression::new_string(area.clone()));
        }

        let mut entities = Vec::with_capacity(4);
        let mut seen: Vec<Uuid> = vec![principal.id];
        let person_ref = |id: Uuid| RestrictedExpression::new_entity_uid(v.person(id));
        let (resource_uid, related): (EntityUid, [Option<Uuid>; 2]) = match resource {
            Resource::System => (v.system.clone(), [None, None]),
            Resource::Person { id, line_manager, business_area } => {
                let uid = v.person(*id);
                let mut attrs = HashMap::new();
                if let Some(lm) = line_manager {
                    attrs.insert("line_manager".to_string(), person_ref(*lm));
                }
                if let Some(area) = business_area {
                    attrs.insert("business_area".to_string(), RestrictedExpression::new_string(area.clone()));
                }
                if *id == principal.id {
                    // The principal is looking at their own record: one entity, the record's
                    // relations, the principal's own business area where it is known.
                    for (k, val) in attrs {
                        principal_attrs.entry(k).or_insert(val);
                    }
                } else {
                    seen.push(*id);
                    entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                }
                (uid, [*line_manager, None])
            }
            Resource::Device { id, holder, holder_line_manager } => {
                let uid = EntityUid::from_type_name_and_id(v.device.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(h) = holder {
                    attrs.insert("holder".to_string(), person_ref(*h));
                }
                if let Some(lm) = holder_line_manager {
                    attrs.insert("holder_line_manager".to_string(), person_ref(*lm));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*holder, *holder_line_manager])
            }
            Resource::Finding { id, subject, subject_line_manager } => {
                let uid = EntityUid::from_type_name_and_id(v.finding.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(s) = subject {
                    attrs.insert("subject".to_string(), person_ref(*s));
                }
                if let Some(lm) = subject_line_manager {
                    attrs.insert("subject_line_manager".to_string(), person_ref(*lm));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*subject, *subject_line_manager])
            }
            Resource::MonitoringCase { id, subject, dmi } => {
                let uid = EntityUid::from_type_name_and_id(v.monitoring_case.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(s) = subject {
                    attrs.insert("subject".to_string(), person_ref(*s));
                }
                if let Some(d) = dmi {
                    attrs.insert("dmi".to_string(), person_ref(*d));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*subject, *dmi])
            }
            Resource::SocialAccount { id, team_manager } => {
                let uid = EntityUid::from_type_name_and_id(v.social_account.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(m) = team_manager {
                    attrs.insert("team_manager".to_string(), person_ref(*m));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*team_manager, None])
            }
        };
        for id in related.into_iter().flatten() {
            if !seen.contains(&id) {
                seen.push(id);
                entities.push(Entity::new_no_attrs(v.person(id), HashSet::new()));
            }
        }
        entities.push(Entity::new(principal_uid.clone(), principal_attrs, parents).ok()?);
        Some(RequestParts { principal: principal_uid, resource: resource_uid, entities })
    }
}

/// Checks that the schema declares exactly [`Action::ALL`], each for a `Person` principal and
/// the resource kind Custodian will send, so the Rust side and the schema cannot drift apart.
fn check_schema_actions(schema: &Schema, v: &Vocabulary) -> Result<(), AuthzError> {
    for &action in Action::ALL {
        let uid = v.action(action).ok_or_else(|| AuthzError::Schema(format!("action {action} has no uid")))?;
        let principals: Vec<_> = schema
            .principals_for_action(uid)
            .ok_or_else(|| AuthzError::Schema(format!("action \"{action}\" is not declared")))?
            .collect();
        if principals != [&v.person] {
            return Err(AuthzError::Schema(format!("action \"{action}\" must apply to principal Person only")));
        }
        let expected = v.resource_type(action.resource_kind());
        let resources: Vec<_> = schema
            .resources_for_action(uid)
            .ok_or_else(|| AuthzError::Schema(format!("action \"{action}\" is not declared")))?
            .collect();
        if resources != [expected] {
            return Err(AuthzError::Schema(format!(
                "action \"{action}\" must apply to resource {} only",
                action.resource_kind().as_str()
            )));
        }
    }
    if let Some(group) = schema.action_groups().next() {
        return Err(AuthzError::Schema(format!("action groups are not supported ({group}): list the actions")));
    }
    let declared = schema.actions().count();
    if declared != Action::ALL.len() {
        return Err(AuthzError::Schema(format!(
            "declares {declared} actions; Custodian knows {}: remove the others",
            Action::ALL.len()
        )));
    }
    Ok(())
}

/// Splits the policy set by action: for each action, the policies whose action scope names it
/// or is unconstrained. Exact, because the schema has no action groups (checked at load).
fn partition_by_action(policies: &PolicySet, v: &Vocabulary) -> Result<Vec<PolicySet>, AuthzError> {
    let mut sets: Vec<PolicySet> = Action::ALL.iter().map(|_| PolicySet::new()).collect();
    let add = |set: &mut PolicySet, policy: &Policy| {
        set.add(policy.clone()).map_err(|e| AuthzError::Validation(format!("{}: {e}", policy.id())))
    };
    for policy in policies.policies() {
        let applies: Box<dyn Fn(&EntityUid) -> bool> = match policy.action_constraint() {
            ActionConstraint::Any => Box::new(|_| true),
            ActionConstraint::Eq(uid) => Box::new(move |a| *a == uid),
            ActionConstraint::In(uids) => Box::new(move |a| uids.contains(a)),
        };
        for (set, uid) in sets.iter_mut().zip(&v.actions) {
            if applies(uid) {
                add(set, policy)?;
            }
        }
    }
    Ok(sets)
}
