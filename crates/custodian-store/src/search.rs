//! Device search in memory.
//!
//! The register's searchable text (asset tag, serial, IMEI, phone number, make, model, holder's
//! name and staff number), with each device's status, type and holder for the list's filters,
//! is held by each server in asset-tag order. A search scans it for the substring, so it costs
//! tens of microseconds for tens of thousands of devices and the same for any query, where the
//! database must either scan every row or merge long trigram lists for common fragments
//! ("BM-0", "Model"). Only the page shown is then read from the database.
//!
//! The copy is never stale: every write that changes what a search or its filters see bumps
//! `device_search_rev` in its own transaction (`search_sync` in devices/sql.rs), and every search reads
//! that revision first and reloads the copy when it has moved, whichever process made the write
//! (a server, or the CLI importing a register). The revision is read before the rows, so a write
//! racing a reload can only cause one extra reload, never a copy labelled newer than it is.

use std::sync::Arc;

use custodian_domain::devices::{DeviceStatus, DeviceType};
use memchr::memmem::Finder;
use uuid::Uuid;

/// One device as the index holds it (read by `device_search_rows`).
pub struct SearchRow {
    pub id: Uuid,
    pub asset_tag: String,
    pub status: DeviceStatus,
    pub device_type: DeviceType,
    pub holder_id: Option<Uuid>,
    /// asset tag, serial, IMEI, phone number, make, model, holder's name, holder's staff number.
    pub fields: [String; 8],
}

struct Entry {
    id: Uuid,
    asset_tag: Box<str>,
    status: DeviceStatus,
    device_type: DeviceType,
    holder_id: Option<Uuid>,
    /// The searchable fields, lower-cased, each followed by a newline so no match spans two.
    text: Box<str>,
}

/// A loaded copy of the index at one revision.
pub(crate) struct Index {
    pub rev: i64,
    entries: Vec<Entry>,
}

/// What a search asks for: the filters of the device list.
pub(crate) struct Query<'a> {
    /// Lower-cased, trimmed, non-empty.
    pub needle: &'a str,
    pub status: Option<DeviceStatus>,
    pub device_type: Option<DeviceType>,
    pub holder_id: Option<Uuid>,
}

/// The result of a search: how many devices match, and the ids of the page asked for.
pub(crate) struct Hits {
    pub total: i64,
    pub page: Vec<Uuid>,
}

impl Index {
    pub fn new(rev: i64, mut rows: Vec<SearchRow>) -> Index {
        // The database orders by its collation; make the order ours, byte-wise, as the cursor
        // comparison below assumes.
        rows.sort_by(|a, b| a.asset_tag.cmp(&b.asset_tag));
        let entries = rows
            .into_iter()
            .map(|r| {
                let mut text = String::with_capacity(r.fields.iter().map(|f| f.len() + 1).sum());
                for f in &r.fields {
                    text.push_str(&f.to_lowercase());
                    text.push('\n');
                }
                Entry {
                    id: r.id,
                    asset_tag: r.asset_tag.into_boxed_str(),
                    status: r.status,
                    device_type: r.device_type,
                    holder_id: r.holder_id,
                    text: text.into_boxed_str(),
                }
            })
            .collect();
        Index { rev, entries }
    }

    /// The devices matching `q`, in asset-tag order: all of them counted, and one page returned,
    /// either after the keyset cursor `after` (an asset tag) or at `offset`.
    pub fn search(&self, q: &Query<'_>, after: Option<&str>, offset: usize, per_page: usize) -> Hits {
        if q.needle.contains('\n') {
            // No field holds a line break, so nothing can match; the separator must not.
            return Hits { total: 0, page: Vec::new() };
        }
        let finder = Finder::new(q.needle.as_bytes());
        let start = match after {
            Some(a) => self.entries.partition_point(|e| &*e.asset_tag <= a),
            None => 0,
        };
        let mut total = 0i64;
        let mut skip = if after.is_some() { 0 } else { offset };
        let mut page = Vec::with_capacity(per_page.min(256));
        for (i, e) in self.entries.iter().enumerate() {
            if q.status.is_some_and(|s| s != e.status)
                || q.device_type.is_some_and(|t| t != e.device_type)
                || q.holder_id.is_some_and(|h| Some(h) != e.holder_id)
                || finder.find(e.text.as_bytes()).is_none()
            {
                continue;
            }
            total += 1;
            if i < start {
                continue;
            }
            if skip > 0 {
                skip -= 1;
            } else if page.len() < per_page {
                page.push(e.id);
            }
        }
        Hits { total, page }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

/// The index a [`crate::Store`] keeps: the current copy, and a lock so one task reloads it while
/// the others wait for the result rather than each reloading.
#[derive(Default)]
pub(crate) struct DeviceSearch {
    current: std::sync::RwLock<Option<Arc<Index>>>,
    reload: tokio::sync::Mutex<()>,
}

impl DeviceSearch {
    /// The copy at revision `rev`, if that is what is loaded.
    pub fn at(&self, rev: i64) -> Option<Arc<Index>> {
        self.current.read().ok()?.as_ref().filter(|i| i.rev == rev).cloned()
    }

    pub fn set(&self, index: Arc<Index>) {
        if let Ok(mut g) = self.current.write() {
            // Never replace a newer copy with an older one.
            if g.as_ref().is_none_or(|cur| cur.rev <= index.rev) {
                *g = Some(index);
            }
        }
    }

    pub fn reload_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.reload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(tag: &str, model: &str, holder: Option<&str>, status: DeviceStatus) -> SearchRow {
        SearchRow {
            id: Uuid::now_v7(),
            asset_tag: tag.into(),
            status,
            device_type: DeviceType::Phone,
            holder_id: None,
            fields: [
                tag.into(),
                format!("SN-{tag}"),
                String::new(),
                String::new(),
                "Make".into(),
                model.into(),
                holder.unwrap_or_default().into(),
                String::new(),
            ],
        }
    }

    fn index() -> Index {
        Index::new(
            1,
            vec![
                row("BM-000003", "Model3", Some("Zoë Ärnold"), DeviceStatus::Allocated),
                row("BM-000001", "Model1", None, DeviceStatus::InStock),
                row("BM-000002", "Model12", Some("Ann Smith"), DeviceStatus::Allocated),
                row("BM-000010", "Model1", None, DeviceStatus::Lost),
            ],
        )
    }

    fn q(needle: &str) -> Query<'_> {
        Query { needle, status: None, device_type: None, holder_id: None }
    }

    fn tags(i: &Index, h: &Hits) -> Vec<String> {
        h.page.iter().map(|id| i.entries.iter().find(|e| e.id == *id).unwrap().asset_tag.to_string()).collect()
    }

    #[test]
    fn substrings_match_in_asset_tag_order_across_every_field() {
        let i = index();
        let h = i.search(&q("model1"), None, 0, 50);
        assert_eq!((h.total, tags(&i, &h)), (3, vec!["BM-000001".into(), "BM-000002".into(), "BM-000010".into()]));
        // Holder names, lower-cased beyond ASCII.
        let h = i.search(&q("zoë ä"), None, 0, 50);
        assert_eq!(tags(&i, &h), vec!["BM-000003".to_string()]);
        // A match never spans two fields.
        assert_eq!(i.search(&q("make\nmodel"), None, 0, 50).total, 0);
        assert_eq!(i.search(&q("bm-000003sn"), None, 0, 50).total, 0);
    }

    #[test]
    fn filters_count_and_pages_agree() {
        let i = index();
        let mut f = q("model1");
        f.status = Some(DeviceStatus::Lost);
        let h = i.search(&f, None, 0, 50);
        assert_eq!((h.total, tags(&i, &h)), (1, vec!["BM-000010".into()]));
        let h = i.search(&q("model"), None, 1, 2);
        assert_eq!((h.total, tags(&i, &h)), (4, vec!["BM-000002".into(), "BM-000003".into()]));
        let h = i.search(&q("model"), Some("BM-000002"), 0, 1);
        assert_eq!((h.total, tags(&i, &h)), (4, vec!["BM-000003".into()]));
        let h = i.search(&q("model"), Some("BM-000010"), 0, 5);
        assert!(h.page.is_empty());
    }

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let s = DeviceSearch::default();
        s.set(Arc::new(Index::new(5, Vec::new())));
        s.set(Arc::new(Index::new(4, Vec::new())));
        assert!(s.at(5).is_some());
        assert!(s.at(4).is_none());
    }
}
