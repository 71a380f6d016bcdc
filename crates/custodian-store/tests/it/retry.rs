//! Serialization failures and deadlocks provoked on a real PostgreSQL server are classified as
//! retryable, and the store's retry runs the losing transaction again until it commits.

use std::sync::atomic::{AtomicU32, Ordering};

use custodian_store::StoreError;
use custodian_store::retry::{RetryPolicy, retry_with};
use sqlx::PgPool;

use crate::support::TestDb;

async fn pool() -> Option<(TestDb, PgPool)> {
    let db = TestDb::postgres().await?;
    let pool = PgPool::connect(&db.url).await.unwrap();
    sqlx::query("CREATE TABLE retry_probe (id INT PRIMARY KEY, v INT NOT NULL)").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO retry_probe VALUES (1, 0), (2, 0)").execute(&pool).await.unwrap();
    Some((db, pool))
}

/// A REPEATABLE READ transaction that updates a row another transaction changed after its
/// snapshot fails with 40001. Through `retry_with`, the first attempt meets the concurrent
/// update; the second commits, on top of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_serialization_failure_is_retried_until_it_commits() {
    let Some((db, pool)) = pool().await else { return };
    let attempts = AtomicU32::new(0);
    let policy = RetryPolicy { attempts: 5, ..RetryPolicy::DEFAULT };
    let seen_40001 = AtomicU32::new(0);
    retry_with(policy, || async {
        let n = attempts.fetch_add(1, Ordering::SeqCst);
        let mut tx = pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ").await?;
        let (v,): (i32,) = sqlx::query_as("SELECT v FROM retry_probe WHERE id = 1").fetch_one(&mut *tx).await?;
        if n == 0 {
            // Another server changes the row after this transaction's snapshot.
            sqlx::query("UPDATE retry_probe SET v = v + 10 WHERE id = 1").execute(&pool).await?;
        }
        let r = sqlx::query("UPDATE retry_probe SET v = $1 WHERE id = 1").bind(v + 1).execute(&mut *tx).await;
        if let Err(e) = r {
            let e = StoreError::from(e);
            if e.is_retryable() {
                seen_40001.fetch_add(1, Ordering::SeqCst);
            }
            return Err(e);
        }
        tx.commit().await?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    assert_eq!(seen_40001.load(Ordering::SeqCst), 1, "the first attempt met a real 40001");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    let (v,): (i32,) = sqlx::query_as("SELECT v FROM retry_probe WHERE id = 1").fetch_one(&pool).await.unwrap();
    assert_eq!(v, 11, "the retry read the concurrent update and added to it");
    pool.close().await;
    db.finish().await;
}

/// Two transactions that lock two rows in opposite orders deadlock; PostgreSQL cancels one with
/// 40P01, which is retryable, and its retry commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_deadlock_is_retryable_and_its_retry_commits() {
    let Some((db, pool)) = pool().await else { return };
    let barrier = tokio::sync::Barrier::new(2);
    let errors = std::sync::Mutex::new(Vec::<String>::new());
    let attempts = AtomicU32::new(0);
    let run = |first: i32, second: i32| {
        let (pool, barrier, errors, attempts) = (&pool, &barrier, &errors, &attempts);
        async move {
            let mut n = 0u32;
            retry_with(RetryPolicy::DEFAULT, || {
                n += 1;
                let attempt = n;
                async move {
                    attempts.fetch_add(1, Ordering::SeqCst);
                    let mut tx = pool.begin().await?;
                    sqlx::query("UPDATE retry_probe SET v = v + 1 WHERE id = $1").bind(first).execute(&mut *tx).await?;
                    if attempt == 1 {
                        barrier.wait().await;
                    }
                    let r = sqlx::query("UPDATE retry_probe SET v = v + 1 WHERE id = $1")
                        .bind(second)
                        .execute(&mut *tx)
                        .await;
                    if let Err(e) = r {
                        let e = StoreError::from(e);
                        errors.lock().unwrap().push(format!("{} {e}", e.is_retryable()));
                        return Err(e);
                    }
                    tx.commit().await?;
                    Ok::<_, StoreError>(())
                }
            })
            .await
        }
    };
    let (a, b) = tokio::join!(run(1, 2), run(2, 1));
    a.unwrap();
    b.unwrap();
    let errors = errors.into_inner().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("true") && errors[0].contains("deadlock"), "{errors:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    let rows: Vec<(i32,)> = sqlx::query_as("SELECT v FROM retry_probe ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(rows, [(2,), (2,)], "both transactions committed once");
    pool.close().await;
    db.finish().await;
}

/// A read through the store's dispatch that fails with SQLSTATE 40001 (as CockroachDB fails a read
/// that meets an uncertain write) is run again. The log head is put behind a view whose function
/// raises a real serialization failure on its first call only (a sequence counts the calls, and
/// `nextval` is not undone by the failed statement), so the first attempt fails on the server and
/// the second reads the head.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_that_fails_with_a_serialization_failure_is_run_again() {
    let Some(db) = TestDb::postgres().await else { return };
    db.exec("CREATE SEQUENCE read_probe_calls").await;
    db.exec(
        "CREATE FUNCTION read_probe() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ \
         BEGIN IF nextval('read_probe_calls') = 1 THEN \
           RAISE EXCEPTION 'restart read' USING ERRCODE = 'serialization_failure'; \
         END IF; RETURN true; END $$",
    )
    .await;
    db.exec("ALTER TABLE audit_head RENAME TO audit_head_stored").await;
    db.exec("CREATE VIEW audit_head AS SELECT * FROM audit_head_stored WHERE read_probe()").await;
    let size = db.store.audit_size().await.expect("the read is retried after the serialization failure");
    assert_eq!(size, 0);
    let calls = db.ints("SELECT last_value FROM read_probe_calls").await;
    assert_eq!(calls, vec![vec![2]], "one failed attempt, then one that read the head");
    db.finish().await;
}
