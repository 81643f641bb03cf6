//! Workshop: what rules must allow and forbid, written down and checked. Test files
//! ([`testfile`]: one expectation per line, `grammar.pest`) run against rules
//! ([`run`]) as the server would answer once it has them; [`coverage`] says which rule
//! tokens no test pins down (removing them changes no verdict); [`challenge`] is the
//! trainee's side: challenges with checks, hints and a reference solution, trainer
//! packs and the built-in track.

pub mod challenge;
pub mod coverage;
pub mod run;
pub mod testfile;

pub use run::{Actual, Rules, Run, TestResult, Verdict, evaluate, run, run_on};
pub use testfile::{Check, Expectation, TestError, TestFile, TestProblem, parse};
