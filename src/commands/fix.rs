//! `jwt2oauth fix`: a dry run by default (a redacted unified diff, then the
//! manual steps with file:line; exit 1 when there is anything to do, 0 when
//! nothing), `--write` to apply it (exit 0 when nothing manual remains),
//! `--format json` for tools. See [`crate::fix`].

use std::io::Write;

use super::Outcome;
use crate::cli::{ColorChoice, FixArgs, FixFormat};
use crate::fix::plan::{self, Options, Plan};
use crate::fix::{apply, catalog, diff, report};

/// The fix that drops JWT libraries from manifests (rules/fixes/).
const DEPENDENCY_DROP: &str = "jwt-library-deps";

/// Runs `fix`.
pub fn run(args: &FixArgs) -> anyhow::Result<Outcome> {
    let rules = match super::rules::load_rules(&args.rule_source) {
        Ok(r) => r,
        Err(o) => return Ok(o),
    };
    let catalog = match catalog::load(
        &args.rule_source.rules_dirs,
        args.rule_source.no_builtin_rules,
        &rules,
    ) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("jwt2oauth: fix error: {e}");
            }
            return Ok(Outcome::UsageError);
        }
    };
    let opts = Options {
        paths: args.paths.clone(),
        unsafe_fixes: args.unsafe_fixes,
        scopes: args.scopes.iter().map(|s| s.trim().to_string()).collect(),
    };
    let plan = match plan::plan(&opts, &rules, &catalog) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("jwt2oauth: error: {e}");
            return Ok(Outcome::UsageError);
        }
    };
    let mut write_errors = Vec::new();
    if args.write {
        let roots = apply::canonical_roots(&args.paths);
        // A manifest losing a JWT library was judged on the code edits'
        // text: it is written last, and not at all when one of them was not.
        let drops = |c: &&plan::FileChange| c.fixes.iter().any(|f| f == DEPENDENCY_DROP);
        let (manifests, rest): (Vec<_>, Vec<_>) = plan.changes.iter().partition(drops);
        for c in rest {
            if let Err(e) = apply::write(c, &roots) {
                write_errors.push(crate::redact::redact_text(&e.to_string()).into_owned());
            }
        }
        let code_failed = !write_errors.is_empty();
        for c in manifests {
            if code_failed {
                write_errors.push(format!(
                    "{}: not written: it drops a JWT library whose last use was in a file that could not be written",
                    c.path
                ));
            } else if let Err(e) = apply::write(c, &roots) {
                write_errors.push(crate::redact::redact_text(&e.to_string()).into_owned());
            }
        }
    }
    let color = match args.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    let mut out = anstream::AutoStream::new(std::io::stdout().lock(), color);
    match args.format {
        FixFormat::Json => writeln!(out, "{}", report::json(&plan, args.write))?,
        FixFormat::Diff if args.write => write_summary(&mut out, &plan, &write_errors)?,
        FixFormat::Diff => write_dry_run(&mut out, &plan)?,
    }
    for e in plan.errors.iter().chain(&write_errors) {
        eprintln!("jwt2oauth: error: {e}");
    }
    out.flush()?;
    let pending = if args.write {
        !plan.manual.is_empty() || !write_errors.is_empty()
    } else {
        !plan.changes.is_empty() || !plan.manual.is_empty()
    };
    Ok(if pending {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn held_back_line(plan: &Plan) -> Option<String> {
    let n = plan.held_back.len();
    (n > 0).then(|| {
        format!(
            "{n} unsafe fix{} held back (code rewrites): rerun with --unsafe to see {}",
            if n == 1 { "" } else { "es" },
            if n == 1 { "it" } else { "them" }
        )
    })
}

fn write_manual(out: &mut dyn Write, plan: &Plan) -> std::io::Result<()> {
    if plan.manual.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nManual steps ({}):", plan.manual.len())?;
    for m in &plan.manual {
        writeln!(out, "  {}:{}: {}", m.path, m.line, m.step)?;
    }
    Ok(())
}

fn scopes_line(plan: &Plan) -> String {
    use crate::fix::scopes::Source;
    match &plan.scopes {
        Source::Flag => "scopes: from --scopes".into(),
        Source::Console { path } => {
            format!("scopes: from the OAuth Server-to-Server credential in {path}")
        }
        Source::Observed => "scopes: guessed from metascopes (observed mapping; check them)".into(),
    }
}

fn write_dry_run(out: &mut dyn Write, plan: &Plan) -> std::io::Result<()> {
    for c in &plan.changes {
        out.write_all(diff::unified(&c.path, &c.before, &c.after, true).as_bytes())?;
    }
    write_manual(out, plan)?;
    writeln!(
        out,
        "\n{} file{} would change ({}); {} manual step{}; {}",
        plan.changes.len(),
        if plan.changes.len() == 1 { "" } else { "s" },
        if plan.changes.is_empty() {
            "dry run".to_string()
        } else {
            "dry run: apply with --write".to_string()
        },
        plan.manual.len(),
        if plan.manual.len() == 1 { "" } else { "s" },
        scopes_line(plan)
    )?;
    if let Some(h) = held_back_line(plan) {
        writeln!(out, "{h}")?;
    }
    Ok(())
}

fn write_summary(out: &mut dyn Write, plan: &Plan, errors: &[String]) -> std::io::Result<()> {
    let written = plan.changes.len() - errors.len().min(plan.changes.len());
    for c in &plan.changes {
        writeln!(out, "fixed {} ({})", c.path, c.fixes.join(", "))?;
    }
    write_manual(out, plan)?;
    writeln!(
        out,
        "\nwrote {written} file{}; {} manual step{}; {} error{}",
        if written == 1 { "" } else { "s" },
        plan.manual.len(),
        if plan.manual.len() == 1 { "" } else { "s" },
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )?;
    if let Some(h) = held_back_line(plan) {
        writeln!(out, "{h}")?;
    }
    Ok(())
}
