//! People: the register's staff and officers, their business areas and line managers.

use custodian_domain::imports::{PersonRow, RowError};
use custodian_domain::people::{PersonKind, PersonStatus, Role};
use serde::Serialize;
use uuid::Uuid;

use crate::{ImportSummary, Page, Progress, Result, Store, Write};

impl Store {
    pub async fn person(&self, id: Uuid) -> Result<Option<Person>> {
        on_read!(self, people::person_by_id(id))
    }
    pub async fn person_by_staff_number(&self, sn: &str) -> Result<Option<Person>> {
        on_read!(self, people::person_by_staff_number(sn))
    }
    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        on_read!(self, people::person_by_email(email))
    }
    pub async fn people(&self, f: &PersonFilter, page: i64, per_page: i64) -> Result<Page<Person>> {
        on_read!(self, people::people_page(f, page, per_page))
    }
    pub async fn direct_reports(&self, manager: Uuid) -> Result<Vec<Person>> {
        on_read!(self, people::direct_reports(manager))
    }
    /// The active people's staff numbers and names, for the comment triage to know who is staff
    /// (WP034 8.2). Read on every call: another process may change the register.
    /// How many people the register holds and its latest `updated_at`: changes whenever any
    /// process adds a person or changes one's name or status (see `people::people_signature`).
    pub async fn people_signature(&self) -> Result<(i64, Option<String>)> {
        on_read!(self, people::people_signature())
    }
    pub async fn staff_names(&self) -> Result<Vec<(String, String)>> {
        on_read!(self, people::staff_names())
    }
    pub async fn business_areas(&self) -> Result<Vec<BusinessArea>> {
        on_read!(self, people::business_areas())
    }
    pub async fn unknown_managers(&self, rows: &[PersonRow]) -> Result<Vec<RowError>> {
        on_read!(self, people::unknown_managers(rows))
    }
    /// Upsert people (see `ops::import_people`): the inner `Err` lists the rows whose changes
    /// `authority` does not allow, and then nothing was written.
    pub async fn import_people(
        &self,
        rows: &[PersonRow],
        authority: &custodian_domain::imports::ImportAuthority,
        w: Write<'_>,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<std::result::Result<ImportSummary, Vec<RowError>>> {
        let r = on_write!(self, people::import_people(rows, authority, w, sha256, progress));
        self.caches.forget_people();
        r
    }
    pub async fn grant_role(&self, person: Uuid, role: Role, w: Write<'_>) -> Result<()> {
        let r = on_write!(self, accounts::grant_role(person, role, w));
        self.caches.forget_people();
        r
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Person {
    pub id: Uuid,
    pub staff_number: String,
    pub name: String,
    pub email: String,
    pub kind: PersonKind,
    pub business_area: String,
    pub business_area_id: Uuid,
    pub line_manager_id: Option<Uuid>,
    pub line_manager_staff_number: Option<String>,
    pub line_manager_name: Option<String>,
    pub status: PersonStatus,
    pub roles: Vec<Role>,
    pub personal_phones: Vec<String>,
    /// Whether this person heads their business area (WP034 4.8b).
    pub is_head_of_department: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct BusinessArea {
    pub id: Uuid,
    pub name: String,
    pub head_id: Option<Uuid>,
    pub head_name: Option<String>,
    pub people: i64,
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub business_area: Option<String>,
    pub status: Option<PersonStatus>,
}
