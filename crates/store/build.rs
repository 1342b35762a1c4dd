//! Rebuild when a migration is added: `sqlx::migrate!` embeds the files it finds when it is
//! compiled, and Cargo only notices a changed `.rs` file, not a new `.sql` one.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
