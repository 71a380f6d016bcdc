//! Lawful business monitoring (WP034 3.3, 5.1-5.5): the verifiable random draw of people whose
//! devices are downloaded, the verification bundle anyone can re-run, the sample-size helper and
//! the state machine of each selected person's case, from consultation to the device's return.
//!
//! # The draw (WP034 5.4: "business areas and personnel chosen at random")
//!
//! The algorithm is fixed so that anyone can re-run it in any language from the bundle:
//!
//! 1. **Canonical population text**: one line per person, `BUSINESS_AREA_NAME` TAB
//!    `STAFF_NUMBER` LF, the lines sorted by their UTF-8 bytes.
//!    `population_hash` = lowercase hex SHA-256 of that text.
//! 2. `commitment` = lowercase hex SHA-256 of the secret's UTF-8 bytes, recorded when the round
//!    is created; the draw refuses a secret that does not open it.
//! 3. `seed` = lowercase hex SHA-256 of `population_hash` LF `beacon` LF `secret`.
//! 4. Each person's score = lowercase hex SHA-256 of `seed` LF `BUSINESS_AREA_NAME` LF
//!    `STAFF_NUMBER`.
//! 5. In each area, people in ascending score order: the first k (the area's sample size) are
//!    selected, everyone if there are fewer; the rest are that area's reserve list, in order.
//!
//! No line ends with a trailing LF except the lines of the population text. `selected` and
//! `reserve` carry one entry per area of `sample_sizes` (an empty list where nobody is left).
//! Area names, staff numbers, beacons and secrets may not contain control characters, so the
//! separators above are unambiguous.

mod case;
mod draw;
mod sample;

pub use case::*;
pub use draw::*;
pub use sample::*;
