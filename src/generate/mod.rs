//! The synthetic data generator: import-ready CSV files of flagged matches with the noise real
//! matches carry and the answer a careful reviewer should give for each row.
//!
//! The same configuration always writes the same bytes (a [`rand_chacha::ChaCha8Rng`] seeded
//! from [`GenerateConfig::seed`] drives every choice), so a file can be regenerated instead of
//! stored, and a benchmark or a test can rely on its content.
//!
//! `assets/demo.csv` is this generator's output for the demo constants, made with
//!
//! ```text
//! cargo run -- generate --rows 300 --seed 2026 --batches 3 --out assets/demo.csv
//! ```
//!
//! ([`DEMO_ROWS`], [`DEMO_SEED`], [`DEMO_BATCHES`]); a test regenerates it and compares bytes,
//! so after changing the generator run that command again and check the diff in.
//!
//! - [`names`]: given names, surnames, the nickname table.
//! - [`places`]: real US cities with state and ZIP, street names, state codes.
//! - [`noise`]: typos, transpositions, DOB typos and the comparisons that spot them.
//! - [`scenario`]: the kinds of pair, how each is built, its gold answer and note, the score.

pub mod names;
pub mod noise;
pub mod places;
pub mod scenario;

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Context as _;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::{BatchInfo, Gold};
use scenario::{Address, RequestGroup, candidate_label, request_group};

pub use scenario::Kind;

/// Seed of `assets/demo.csv`.
pub const DEMO_SEED: u64 = 2026;
/// Rows (flagged matches) in `assets/demo.csv`.
pub const DEMO_ROWS: u64 = 300;
/// Batches in `assets/demo.csv`.
pub const DEMO_BATCHES: u32 = 3;

/// The header row, in the import format's column order.
pub const COLUMNS: [&str; 31] = [
    "batch",
    "requester",
    "legal_basis",
    "request_id",
    "candidate_id",
    "score",
    "req_given_name",
    "req_surname",
    "req_dob",
    "req_street_number",
    "req_street",
    "req_unit",
    "req_city",
    "req_state",
    "req_zip",
    "req_tin",
    "cand_given_name",
    "cand_surname",
    "cand_dob",
    "cand_street_number",
    "cand_street",
    "cand_unit",
    "cand_city",
    "cand_state",
    "cand_zip",
    "cand_tin",
    "cand_address_updated",
    "req_phone",
    "cand_phone",
    "gold",
    "gold_note",
];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateConfig {
    /// Rows to write: one row is one request × candidate pair.
    pub rows: u64,
    /// The same seed writes the same file.
    pub seed: u64,
    /// Batches to spread the rows over (at least one).
    pub batches: u32,
}

impl GenerateConfig {
    /// The configuration `assets/demo.csv` was made with.
    pub fn demo() -> Self {
        GenerateConfig {
            rows: DEMO_ROWS,
            seed: DEMO_SEED,
            batches: DEMO_BATCHES,
        }
    }

    /// Rejects a configuration that cannot be generated, before any file is created.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.batches >= 1, "--batches must be at least 1");
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GenerateSummary {
    pub rows: u64,
    pub requests: u64,
    /// Batches that received at least one row.
    pub batches: u32,
    /// Requests with two or three candidates.
    pub multi_candidate_requests: u64,
    /// Rows whose gold answer is `match`.
    pub matches: u64,
}

/// Who sends requests and under which authority; batches cycle through these.
const REQUESTERS: [(&str, &str, &str); 6] = [
    (
        "hhs-locate",
        "Dept. of Health and Human Services",
        "42 U.S.C. § 653 (Federal Parent Locator Service)",
    ),
    (
        "ssa-overpayment",
        "Social Security Administration",
        "42 U.S.C. § 404 (Recovery of overpayments)",
    ),
    (
        "va-benefits",
        "Dept. of Veterans Affairs",
        "38 U.S.C. § 5701(b) (Disclosure to locate beneficiaries)",
    ),
    (
        "usms-warrant",
        "U.S. Marshals Service",
        "28 U.S.C. § 566 (Execution of federal warrants)",
    ),
    (
        "ed-loan-collection",
        "Dept. of Education",
        "31 U.S.C. § 3711 (Collection of claims)",
    ),
    (
        "dol-wage-claims",
        "Dept. of Labor, Wage and Hour Division",
        "29 U.S.C. § 216(c) (Back wages owed to employees)",
    ),
];

/// Batch `index` (0-based): requesters in turn, one month earlier per batch so names are unique
/// ("2026-11-hhs-locate", "2026-10-ssa-overpayment", ...).
pub fn batch_info(index: u32) -> BatchInfo {
    let (slug, requester, legal_basis) = REQUESTERS[index as usize % REQUESTERS.len()];
    // Months counted from January of year 0 so subtraction stays simple.
    let month_index = 2026 * 12 + 10 - i64::from(index);
    let (year, month) = (month_index.div_euclid(12), month_index.rem_euclid(12) + 1);
    BatchInfo {
        name: format!("{year}-{month:02}-{slug}"),
        requester: requester.to_string(),
        legal_basis: legal_basis.to_string(),
    }
}

/// Share of requests that come with two or three candidates.
const MULTI_CANDIDATE_SHARE: f64 = 0.125;

/// Writes a header and `config.rows` rows of CSV to `out`.
///
/// `out` should be buffered (a `BufWriter` around a file); the CSV writer adds its own buffer
/// on top, so rows are formatted into reused strings and copied once.
pub fn write_csv<W: Write>(config: &GenerateConfig, out: W) -> anyhow::Result<GenerateSummary> {
    config.validate()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut csv = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(out);
    csv.write_record(COLUMNS)?;
    let mut summary = GenerateSummary::default();
    let mut buf = RowBuf::default();
    let per_batch = config.rows / u64::from(config.batches);
    let remainder = config.rows % u64::from(config.batches);
    for index in 0..config.batches {
        let rows = per_batch + u64::from(u64::from(index) < remainder);
        if rows == 0 {
            continue;
        }
        summary.batches += 1;
        let batch = batch_info(index);
        // Candidate ids are database keys: they start anywhere and have gaps.
        let mut next_candidate: u64 = rng.random_range(1_000..90_000);
        let mut request_number: u64 = 0;
        let mut left = rows;
        let mut ids = [0u64; 3];
        while left > 0 {
            let size: u64 = if rng.random_bool(MULTI_CANDIDATE_SHARE) {
                if rng.random_bool(0.7) { 2 } else { 3 }
            } else {
                1
            };
            // The last request of a batch gets what rows are left.
            let size = size.min(left) as usize;
            for id in ids.iter_mut().take(size) {
                *id = next_candidate;
                next_candidate += rng.random_range(1..4);
            }
            let group = request_group(&mut rng, &ids[..size]);
            request_number += 1;
            summary.requests += 1;
            if size > 1 {
                summary.multi_candidate_requests += 1;
            }
            write_group(&mut csv, &mut buf, &batch, request_number, &group)?;
            summary.rows += size as u64;
            summary.matches += group.rows.iter().filter(|r| r.gold == Gold::Match).count() as u64;
            left -= size as u64;
        }
    }
    csv.flush().context("writing the generated CSV")?;
    Ok(summary)
}

/// Reused text buffers for the formatted (non-borrowed) fields of one row.
#[derive(Default)]
struct RowBuf {
    request_id: String,
    candidate_id: String,
    score: String,
    req: SideBuf,
    cand: SideBuf,
    updated: String,
}

#[derive(Default)]
struct SideBuf {
    dob: String,
    number: String,
    street: String,
    unit: String,
    tin: String,
    phone: String,
}

impl SideBuf {
    fn fill(
        &mut self,
        dob: Option<chrono::NaiveDate>,
        address: &Address,
        phone: Option<scenario::Phone>,
    ) {
        set(&mut self.dob, dob);
        set(&mut self.number, address.number);
        self.street.clear();
        let _ = write!(self.street, "{}", address.street);
        set(&mut self.unit, address.unit);
        set(&mut self.phone, phone);
    }
}

/// Replaces `buf` with the value's text, or empties it for a missing value.
fn set<T: std::fmt::Display>(buf: &mut String, value: Option<T>) {
    buf.clear();
    if let Some(value) = value {
        let _ = write!(buf, "{value}");
    }
}

fn write_group<W: Write>(
    csv: &mut csv::Writer<W>,
    buf: &mut RowBuf,
    batch: &BatchInfo,
    request_number: u64,
    group: &RequestGroup,
) -> anyhow::Result<()> {
    let req = &group.request;
    buf.request_id.clear();
    let _ = write!(buf.request_id, "R{request_number:06}");
    buf.req.fill(req.dob, &req.address, req.phone);
    buf.req.tin.clear();
    if let Some(last4) = req.tin_last4 {
        let _ = write!(buf.req.tin, "{last4:04}");
    }
    for row in &group.rows {
        let cand = &row.candidate;
        buf.candidate_id.clear();
        let _ = write!(buf.candidate_id, "{}", candidate_label(row.candidate_id));
        buf.score.clear();
        let _ = write!(buf.score, "{:.4}", row.score);
        buf.cand.fill(cand.dob, &cand.address, cand.phone);
        set(&mut buf.cand.tin, Some(cand.tin));
        set(&mut buf.updated, Some(cand.address_updated));
        let (ra, ca) = (&req.address, &cand.address);
        let record: [&str; 31] = [
            &batch.name,
            &batch.requester,
            &batch.legal_basis,
            &buf.request_id,
            &buf.candidate_id,
            &buf.score,
            &req.given,
            &req.surname,
            &buf.req.dob,
            &buf.req.number,
            &buf.req.street,
            &buf.req.unit,
            ra.city.unwrap_or(""),
            ra.state.unwrap_or(""),
            ra.zip.unwrap_or(""),
            &buf.req.tin,
            &cand.given,
            &cand.surname,
            &buf.cand.dob,
            &buf.cand.number,
            &buf.cand.street,
            &buf.cand.unit,
            ca.city.unwrap_or(""),
            ca.state.unwrap_or(""),
            ca.zip.unwrap_or(""),
            &buf.cand.tin,
            &buf.updated,
            &buf.req.phone,
            &buf.cand.phone,
            row.gold.as_str(),
            &row.gold_note,
        ];
        csv.write_record(record)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
