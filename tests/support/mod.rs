//! Running the real `aclplay` binary from the integration tests: each test gets its own
//! directory (so relative file names, not temporary paths, appear in the output that
//! snapshots record), and the binary runs without a terminal and with `NO_COLOR`, so its
//! output is plain text.

#![allow(dead_code)] // Each test crate uses a different part of this module.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// The standard output parsed as JSON; panics with both streams when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// A fresh directory for one test's input files.
pub struct Dir {
    path: PathBuf,
}

impl Dir {
    /// `name` must be unique per test (it names the directory).
    pub fn new(name: &str) -> Dir {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aclplay-cli").join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create test directory");
        Dir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `name` (relative) with `content` and returns the name for the command line.
    pub fn file<'n>(&self, name: &'n str, content: impl AsRef<[u8]>) -> &'n str {
        std::fs::write(self.path.join(name), content).expect("write test input");
        name
    }

    /// Runs `aclplay <args>` in this directory, with `stdin` (empty when `None`).
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        run_in(&self.path, args, stdin)
    }
}

/// The version the CLI tests answer as unless they say `--server`: what their expected
/// texts and snapshots were written for (the registry's default may move).
pub const PINNED: &str = "redis-7.0";

/// Runs `aclplay <args>` with no `ACLPLAY_SERVER`, so on the registry's default unless
/// `--server` is given.
pub fn run_default(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_aclplay"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("ACLPLAY_SERVER")
        .stdin(Stdio::null())
        .output()
        .expect("the aclplay binary runs");
    Out {
        code: out.status.code().expect("aclplay exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `aclplay <args>` in `dir`.
pub fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aclplay"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        // The snapshots and expected texts are redis-7.0's; `--server` still wins. Tests
        // of the default itself use `run_default`.
        .env("ACLPLAY_SERVER", PINNED)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the aclplay binary runs");
    {
        // Dropping the handle closes stdin, so a command that reads it sees its end.
        let mut input = child.stdin.take().expect("piped stdin");
        // A command that does not read stdin may exit first: a broken pipe is fine then.
        let _ = input.write_all(stdin.unwrap_or_default());
    }
    let out = child.wait_with_output().expect("wait for aclplay");
    Out {
        code: out.status.code().expect("aclplay exited normally, not by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `aclplay <args>` where no input file is needed.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Out {
    run_in(Path::new(env!("CARGO_TARGET_TMPDIR")), args, stdin)
}

/// The OASIS SARIF 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, copied from
/// serde-sarif 0.8.0), compiled.
pub fn sarif_validator() -> jsonschema::Validator {
    let mut schema: serde_json::Value = serde_json::from_str(include_str!("../data/sarif-schema-2.1.0.json")).unwrap();
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    );
    // The schema's `language` patterns have a stray `]`, which ECMA-262 reads as a literal
    // and the Rust regex engines (and so the meta-schema's `regex` format check) refuse.
    // Escaping it keeps the meaning and lets the schema compile.
    fn escape_stray_bracket(v: &mut serde_json::Value) -> usize {
        const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
        match v {
            serde_json::Value::Object(m) => m
                .iter_mut()
                .map(|(k, x)| {
                    if k == "pattern" && x == STRAY {
                        *x = STRAY.replace("}]", "}\\]").into();
                        1
                    } else {
                        escape_stray_bracket(x)
                    }
                })
                .sum(),
            serde_json::Value::Array(a) => a.iter_mut().map(escape_stray_bracket).sum(),
            _ => 0,
        }
    }
    assert_eq!(escape_stray_bracket(&mut schema), 2, "the two `language` patterns");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

/// Fails with every schema error when `log` is not valid SARIF 2.1.0.
pub fn assert_valid_sarif(v: &jsonschema::Validator, log: &serde_json::Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: SARIF does not validate:\n{}", errors.join("\n"));
}
