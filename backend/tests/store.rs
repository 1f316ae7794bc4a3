//! The store on both engines: every test here runs once on SQLite and once on PostgreSQL (a
//! database of its own in the cluster `scripts/with-postgres.sh` started).

mod common;

use common::TestDb;
use plaid_link_backend::keys::{Key, TokenKeys};
use plaid_link_backend::store::{Claim, ClaimRules, DatabaseUrl, Store, StoreError};

fn keys(current: u8, previous: &[u8]) -> TokenKeys {
    let previous: Vec<[u8; 32]> = previous.iter().map(|b| [*b; 32]).collect();
    TokenKeys::new(&[current; 32], &previous)
}

async fn open(db: &TestDb, keys: TokenKeys, environment: &'static str) -> Result<Store, StoreError> {
    Store::open(&DatabaseUrl::parse(&db.url()), keys, environment).await
}

const RULES: ClaimRules = ClaimRules { keep_secs: 3600, abandoned_secs: 120, max_per_owner: 3 };

/// Each test, as a module per engine: `sqlite::name` and `postgres::name`.
macro_rules! on_both_engines {
    ($(async fn $name:ident($db:ident) $body:block)*) => {
        mod sqlite {
            use super::*;
            $(#[tokio::test] async fn $name() { let $db = TestDb::sqlite(); $body })*
        }
        mod postgres {
            use super::*;
            $(#[tokio::test] async fn $name() { let $db = TestDb::postgres().await; $body })*
        }
    };
}

on_both_engines! {
    async fn access_tokens_are_stored_encrypted_and_read_back(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-1", "user-1", Some(("ins_109508", "First Platypus Bank")), "access-sandbox-secret").await.unwrap();
        assert_eq!(store.access_token("item-1").await.unwrap().as_deref(), Some("access-sandbox-secret"));
        let mut raw = db.connect().await;
        let sealed: Vec<u8> = sqlx::query_scalar("SELECT access_token FROM plaid_link_items").fetch_one(&mut raw).await.unwrap();
        assert!(!sealed.windows(14).any(|w| w == b"access-sandbox"), "plaintext token in the database");
        if let TestDb::Sqlite(path) = &db {
            let file = std::fs::read(path).unwrap();
            assert!(!file.windows(14).any(|w| w == b"access-sandbox"), "plaintext token in the file");
        }
    }

    async fn a_wrong_key_is_refused_at_start_up(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-1", "user-1", None, "access-sandbox-secret").await.unwrap();
        store.close().await;
        let wrong = open(&db, keys(8, &[]), "sandbox").await;
        assert!(matches!(wrong, Err(StoreError::UnknownKey(_))), "a wrong key must not start and write rows");
    }

    async fn a_rotated_key_reads_old_rows_until_rotate_keys_reencrypts_them(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-1", "user-1", None, "access-sandbox-one").await.unwrap();
        store.save("item-2", "user-2", None, "access-sandbox-two").await.unwrap();
        store.close().await;
        // The new key, with the old one still accepted for reading.
        let store = open(&db, keys(9, &[7]), "sandbox").await.unwrap();
        assert_eq!(store.access_token("item-1").await.unwrap().as_deref(), Some("access-sandbox-one"));
        store.save("item-3", "user-3", None, "access-sandbox-three").await.unwrap();
        assert_eq!(store.rotate_keys().await.unwrap(), 2, "the two rows under the old key");
        assert_eq!(store.rotate_keys().await.unwrap(), 0);
        store.close().await;
        // The old key can go: every row is under the new one.
        let store = open(&db, keys(9, &[]), "sandbox").await.unwrap();
        for (item, token) in [("item-1", "one"), ("item-2", "two"), ("item-3", "three")] {
            assert_eq!(store.access_token(item).await.unwrap().unwrap(), format!("access-sandbox-{token}"));
        }
        let ids: Vec<_> = store.items().await.unwrap().into_iter().map(|i| i.key_id).collect();
        assert!(ids.iter().all(|id| id.as_deref() == Some(Key::new(&[9; 32]).id())), "{ids:?}");
    }

    async fn a_row_moved_to_another_owner_no_longer_decrypts(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-1", "user-1", None, "access-sandbox-secret").await.unwrap();
        let mut raw = db.connect().await;
        sqlx::raw_sql("UPDATE plaid_link_items SET client_user_id = 'attacker' WHERE item_id = 'item-1'").execute(&mut raw).await.unwrap();
        assert!(matches!(store.access_token("item-1").await, Err(StoreError::Crypto)));
    }

    async fn a_row_of_another_environment_is_refused(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-1", "user-1", None, "access-sandbox-secret").await.unwrap();
        let production = open(&db, keys(7, &[]), "production").await.unwrap();
        assert!(matches!(
            production.access_token("item-1").await,
            Err(StoreError::OtherEnvironment { stored, running: "production", .. }) if stored == "sandbox"
        ));
        assert!(production.items_of("user-1").await.unwrap().is_empty(), "its owner's list is per environment");
        assert_eq!(production.items().await.unwrap()[0].environment.as_deref(), Some("sandbox"));
    }

    async fn items_keep_their_accounts_and_status_per_owner(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        store.save("item-b", "user-1", Some(("ins_1", "Bank")), "access-sandbox-b").await.unwrap();
        assert!(store.set_item_accounts("item-b", r#"[{"id":"a"}]"#, "ok").await.unwrap());
        assert!(store.set_item_status("item-b", "login_required").await.unwrap());
        assert!(!store.set_item_status("item-nobody", "ok").await.unwrap(), "no such item");
        let items = store.items_of("user-1").await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].accounts.as_str(), items[0].status.as_str()), (r#"[{"id":"a"}]"#, "login_required"));
        assert_eq!(store.item_owner("item-b").await.unwrap().as_deref(), Some("user-1"));
        store.delete_item("item-b").await.unwrap();
        assert!(store.items_of("user-1").await.unwrap().is_empty());
        assert_eq!(store.item_owner("item-b").await.unwrap(), None);
    }

    async fn sessions_are_found_by_their_hash_until_they_expire(db) {
        use plaid_link_backend::session::{find, migrate, start};
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        let pool = store.pool();
        migrate(pool).await.unwrap();
        start(pool, b"hash-1", "user-1", 1_000, 60).await.unwrap();
        assert_eq!(find(pool, b"hash-1", 1_059).await.unwrap().as_deref(), Some("user-1"));
        assert_eq!(find(pool, b"hash-1", 1_060).await.unwrap(), None, "expired");
        assert_eq!(find(pool, b"hash-2", 1_000).await.unwrap(), None, "never issued");
        // A new session sweeps the expired ones.
        start(pool, b"hash-2", "user-2", 2_000, 60).await.unwrap();
        let mut raw = db.connect().await;
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&mut raw).await.unwrap();
        assert_eq!(left, 1);
    }

    async fn an_idempotency_key_is_claimed_answered_and_bounded(db) {
        let store = open(&db, keys(7, &[]), "sandbox").await.unwrap();
        let claim = |key: &'static str, body: &'static [u8], now: u64| {
            let store = &store;
            async move { store.claim_idempotency("owner", key, body, now, RULES).await.unwrap() }
        };
        assert_eq!(claim("k1", b"body", 1_000).await, Claim::Fresh);
        assert_eq!(claim("k1", b"body", 1_001).await, Claim::InProgress);
        assert_eq!(claim("k1", b"other", 1_001).await, Claim::OtherBody);
        store.answer_idempotency("owner", "k1", 200, r#"{"item_id":"i"}"#).await.unwrap();
        assert_eq!(claim("k1", b"body", 1_002).await, Claim::Answered(200, r#"{"item_id":"i"}"#.into()));
        assert_eq!(claim("k2", b"body", 1_002).await, Claim::Fresh);
        store.release_idempotency("owner", "k2").await.unwrap();
        assert_eq!(claim("k2", b"body", 1_003).await, Claim::Fresh, "a released key is worked on again");
        assert_eq!(claim("k3", b"body", 1_003).await, Claim::Fresh);
        assert_eq!(claim("k4", b"body", 1_003).await, Claim::Full, "three per owner");
        // An unanswered claim is taken over once abandoned; all expire after an hour.
        assert_eq!(claim("k2", b"body", 1_003 + 120).await, Claim::TakenOver(1_003), "since its last renewal");
        assert_eq!(store.idempotency_records().await.unwrap(), 3);
        assert_eq!(claim("k4", b"body", 1_003 + 120 + 3_600).await, Claim::Fresh);
        assert_eq!(store.idempotency_records().await.unwrap(), 1, "expired keys forgotten");
    }

    async fn racing_claims_on_one_key_make_one_worker(db) {
        // Two instances' pools, as two processes behind a load balancer.
        let (a, b) = (open(&db, keys(7, &[]), "sandbox").await.unwrap(), open(&db, keys(7, &[]), "sandbox").await.unwrap());
        let claims = (0..16).map(|i| {
            let store = if i % 2 == 0 { &a } else { &b };
            store.claim_idempotency("owner", "key", b"body", 1_000, RULES)
        });
        let claims: Vec<Claim> = futures_util::future::join_all(claims).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(claims.iter().filter(|c| **c == Claim::Fresh).count(), 1, "{claims:?}");
        assert!(claims.iter().all(|c| matches!(c, Claim::Fresh | Claim::InProgress)), "{claims:?}");
        // And the take-over of an abandoned claim, too.
        let takeovers = (0..16).map(|i| {
            let store = if i % 2 == 0 { &a } else { &b };
            store.claim_idempotency("owner", "key", b"body", 1_000 + 121, RULES)
        });
        let takeovers: Vec<Claim> = futures_util::future::join_all(takeovers).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(takeovers.iter().filter(|c| matches!(c, Claim::TakenOver(1_000))).count(), 1, "{takeovers:?}");
    }
}
