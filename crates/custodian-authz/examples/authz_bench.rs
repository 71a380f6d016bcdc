//! Decision latency of Custodian's Cedar policies.
//!
//! Runs 200,000 mixed decisions (every action, principals with zero to three roles, resources
//! whose holder, subject or line manager is often the principal) and prints the p50, p99 and
//! maximum latency of one [`Authz::decide`] and the throughput on one thread.
//!
//! ```text
//! cargo run --release -p custodian-authz --example authz_bench
//! ```

use std::time::{Duration, Instant};

use custodian_authz::{Action, Authz, Principal, Resource, ResourceKind, Role};
use uuid::Uuid;

const DECISIONS: usize = 200_000;
const WARM_UP: usize = 5_000;

/// A small xorshift generator: deterministic runs, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One of a pool of 50 people, so relations between principal and resource are common.
fn someone(rng: &mut Rng) -> Uuid {
    Uuid::from_u128(1 + rng.below(50) as u128)
}

fn area(rng: &mut Rng) -> Option<String> {
    ["Operations", "Custody", "Investigations"].get(rng.below(4)).map(|s| (*s).to_string())
}

/// Someone related to the principal a third of the time, someone else or nobody otherwise.
fn related(rng: &mut Rng, principal: Uuid) -> Option<Uuid> {
    match rng.below(6) {
        0 | 1 => Some(principal),
        2 => None,
        _ => Some(someone(rng)),
    }
}

fn case(rng: &mut Rng) -> (Principal, Action, Resource) {
    let id = someone(rng);
    let roles = (0..rng.below(4)).map(|_| Role::ALL[rng.below(Role::ALL.len())]).collect();
    let principal = Principal { id, roles, business_area: area(rng) };
    let action = Action::ALL[rng.below(Action::ALL.len())];
    // Mostly the right kind of resource; 2% the wrong kind, which must be denied.
    let kind = if rng.chance(2) {
        [
            ResourceKind::System,
            ResourceKind::Person,
            ResourceKind::Device,
            ResourceKind::Finding,
            ResourceKind::MonitoringCase,
        ][rng.below(5)]
    } else {
        action.resource_kind()
    };
    let resource = match kind {
        ResourceKind::System => Resource::System,
        ResourceKind::Person => Resource::Person {
            id: if rng.chance(20) { id } else { someone(rng) },
            line_manager: related(rng, id),
            business_area: area(rng),
        },
        ResourceKind::Device => Resource::Device {
            id: Uuid::from_u128(rng.next().into()),
            holder: related(rng, id),
            holder_line_manager: related(rng, id),
        },
        ResourceKind::Finding => Resource::Finding {
            id: Uuid::from_u128(rng.next().into()),
            subject: related(rng, id),
            subject_line_manager: related(rng, id),
        },
        ResourceKind::MonitoringCase => Resource::MonitoringCase {
            id: Uuid::from_u128(rng.next().into()),
            subject: related(rng, id),
            dmi: related(rng, id),
        },
        ResourceKind::SocialAccount => {
            Resource::SocialAccount { id: Uuid::from_u128(rng.next().into()), team_manager: related(rng, id) }
        }
    };
    (principal, action, resource)
}

/// This thread's time on a CPU so far (Linux), to tell the work a decision does from time spent
/// waiting for a CPU on a busy machine.
fn on_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() -> Result<(), custodian_authz::AuthzError> {
    let started = Instant::now();
    let authz = Authz::load()?;
    println!(
        "loaded and validated {} policies in {:.1} ms",
        authz.policy_texts().len(),
        micros(started.elapsed()) / 1e3
    );

    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let cases: Vec<_> = (0..DECISIONS).map(|_| case(&mut rng)).collect();
    for (p, a, r) in cases.iter().take(WARM_UP) {
        std::hint::black_box(authz.decide(p, *a, r));
    }

    let mut latencies = Vec::with_capacity(DECISIONS);
    let mut allowed = 0usize;
    let cpu_before = on_cpu();
    let run = Instant::now();
    for (p, a, r) in &cases {
        let t = Instant::now();
        let d = std::hint::black_box(authz.decide(p, *a, r));
        latencies.push(t.elapsed());
        allowed += usize::from(d.allowed);
    }
    let total = run.elapsed();
    let cpu = on_cpu().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    latencies.sort_unstable();
    let at = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default();

    println!("decisions:   {DECISIONS} ({allowed} allowed)");
    println!("p50:         {:.2} µs", micros(at(0.50)));
    println!("p99:         {:.2} µs", micros(at(0.99)));
    println!("max:         {:.2} µs", micros(at(1.0)));
    println!("throughput:  {:.0} decisions/s (one thread)", DECISIONS as f64 / total.as_secs_f64());
    if let Some(cpu) = cpu {
        println!(
            "on-CPU:      {:.2} µs per decision, {:.0}% of the wall time (the rest waited for a CPU)",
            micros(cpu) / DECISIONS as f64,
            100.0 * cpu.as_secs_f64() / total.as_secs_f64()
        );
    }
    Ok(())
}
