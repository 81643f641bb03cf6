//! SARIF 2.1.0 output of `aclplay lint`, for code-scanning tools.

use aclplay::audit::{Finding, RULES};
use aclplay::diagnostics::Severity;
use aclplay::span::{LineIndex, Span};
use serde_sarif::sarif;

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

fn region(text: &str, ix: &LineIndex, s: Span) -> sarif::Region {
    let (a, b) = (ix.locate(text, s.start), ix.locate(text, s.end));
    sarif::Region::builder()
        .start_line(a.line as i64)
        .start_column(a.column as i64)
        .end_line(b.line as i64)
        .end_column(b.column as i64)
        .build()
}

/// The whole SARIF log as pretty JSON.
pub fn log(file: &str, text: &str, findings: &[Finding]) -> String {
    let ix = LineIndex::new(text);
    let uri = if file == "<stdin>" { "stdin" } else { file };
    let artifact = || sarif::ArtifactLocation::builder().uri(uri).build();
    let rules: Vec<sarif::ReportingDescriptor> = RULES
        .iter()
        .map(|(code, sev, desc)| {
            sarif::ReportingDescriptor::builder()
                .id(*code)
                .short_description(sarif::MultiformatMessageString::builder().text(*desc).build())
                .default_configuration(
                    sarif::ReportingConfiguration::builder().level(serde_json::json!(level(*sev))).build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = findings
        .iter()
        .map(|f| {
            let rule_index = RULES.iter().position(|r| r.0 == f.code).unwrap_or(0) as i64;
            let location = |s: &Span| {
                sarif::Location::builder()
                    .physical_location(
                        sarif::PhysicalLocation::builder()
                            .artifact_location(artifact())
                            .region(region(text, &ix, *s))
                            .build(),
                    )
                    .build()
            };
            let locations: Vec<sarif::Location> = if f.spans.is_empty() {
                vec![
                    sarif::Location::builder()
                        .physical_location(sarif::PhysicalLocation::builder().artifact_location(artifact()).build())
                        .build(),
                ]
            } else {
                f.spans.iter().take(1).map(location).collect()
            };
            let message = sarif::Message::builder().text(format!("{}\nhelp: {}", f.message, f.help)).build();
            let fixes: Vec<sarif::Fix> = f
                .fix
                .iter()
                .map(|fix| {
                    let replacements: Vec<sarif::Replacement> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            sarif::Replacement::builder()
                                .deleted_region(
                                    sarif::Region::builder()
                                        .char_offset(text[..e.span.start].chars().count() as i64)
                                        .char_length(text[e.span.start..e.span.end].chars().count() as i64)
                                        .build(),
                                )
                                .inserted_content(sarif::ArtifactContent::builder().text(e.replacement.clone()).build())
                                .build()
                        })
                        .collect();
                    sarif::Fix::builder()
                        .description(sarif::Message::builder().text(fix.title.clone()).build())
                        .artifact_changes(vec![
                            sarif::ArtifactChange::builder()
                                .artifact_location(artifact())
                                .replacements(replacements)
                                .build(),
                        ])
                        .build()
                })
                .collect();
            let related: Vec<sarif::Location> = f.spans.iter().skip(1).map(location).collect();
            let mut r = sarif::Result::builder()
                .rule_id(f.code)
                .rule_index(rule_index)
                .level(level(f.severity))
                .message(message)
                .locations(locations)
                .build();
            if !fixes.is_empty() {
                r.fixes = Some(fixes);
            }
            if !related.is_empty() {
                r.related_locations = Some(related);
            }
            r
        })
        .collect();
    envelope("aclplay", rules, results)
}

/// The SARIF 2.1.0 log of one run of the tool `name` (`aclplay`, `aclplay diff`), as
/// pretty JSON.
pub fn envelope(name: &str, rules: Vec<sarif::ReportingDescriptor>, results: Vec<sarif::Result>) -> String {
    let driver = sarif::ToolComponent::builder()
        .name(name)
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://example.invalid/aclplay")
        .rules(rules)
        .build();
    // Our columns count characters (code points); SARIF's default unit is UTF-16 code
    // units, which differ after any character outside the BMP (an emoji in a password).
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .build();
    let log = sarif::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&log).expect("serialisable")
}
