//! File classification: languages by extension, and the names of files that
//! hold credential material (scanned even when git ignores them).

/// Language names usable in a rule's `files.languages`, with their globs.
pub const LANGUAGES: &[(&str, &[&str])] = &[
    // Google Apps Script (`*.gs`) is JavaScript.
    ("javascript", &["*.js", "*.mjs", "*.cjs", "*.jsx", "*.gs"]),
    ("typescript", &["*.ts", "*.tsx", "*.mts", "*.cts"]),
    ("python", &["*.py", "*.pyw", "*.ipynb"]),
    ("java", &["*.java"]),
    ("kotlin", &["*.kt", "*.kts"]),
    ("scala", &["*.scala", "*.sc"]),
    ("groovy", &["*.groovy", "*.gradle"]),
    ("csharp", &["*.cs", "*.csx"]),
    ("fsharp", &["*.fs", "*.fsx"]),
    ("vb", &["*.vb"]),
    ("php", &["*.php", "*.phtml"]),
    ("go", &["*.go"]),
    ("ruby", &["*.rb", "*.rake", "Gemfile"]),
    ("rust", &["*.rs"]),
    ("r", &["*.R", "*.r"]),
    ("swift", &["*.swift"]),
    ("perl", &["*.pl", "*.pm"]),
    ("elixir", &["*.ex", "*.exs"]),
    ("dart", &["*.dart"]),
    ("shell", &["*.sh", "*.bash", "*.zsh", "*.ksh", "*.fish"]),
    ("powershell", &["*.ps1", "*.psm1", "*.psd1"]),
    ("batch", &["*.bat", "*.cmd"]),
    ("json", &["*.json", "*.jsonc", "*.json5"]),
    ("yaml", &["*.yaml", "*.yml"]),
    ("toml", &["*.toml"]),
    (
        "xml",
        &[
            "*.xml", "*.csproj", "*.vbproj", "*.fsproj", "*.config", "*.props",
        ],
    ),
    ("properties", &["*.properties", "*.ini", "*.cfg", "*.conf"]),
    ("dotenv", &[".env", ".env.*", "*.env", "*.env.*"]),
    (
        "dockerfile",
        &["Dockerfile", "*.dockerfile", "Dockerfile.*"],
    ),
    ("terraform", &["*.tf", "*.tfvars", "*.hcl"]),
    (
        "markdown",
        &["*.md", "*.markdown", "*.rst", "*.txt", "*.adoc"],
    ),
    ("html", &["*.html", "*.htm", "*.vue", "*.svelte"]),
    ("sql", &["*.sql"]),
    (
        "pem",
        &["*.pem", "*.key", "*.crt", "*.cer", "*.der", "*.p8", "*.pub"],
    ),
];

/// Every language that is program source (as opposed to config or docs):
/// the `code` pseudo-language in rule files.
pub const CODE_LANGUAGES: &[&str] = &[
    "javascript",
    "typescript",
    "python",
    "java",
    "kotlin",
    "scala",
    "groovy",
    "csharp",
    "fsharp",
    "vb",
    "php",
    "go",
    "ruby",
    "rust",
    "r",
    "swift",
    "perl",
    "elixir",
    "dart",
    "shell",
    "powershell",
    "batch",
    "html",
];

/// The globs of a language name (`code` expands to every code language), or
/// `None` for an unknown name.
pub fn language_globs(name: &str) -> Option<Vec<&'static str>> {
    if name == "code" {
        return Some(
            CODE_LANGUAGES
                .iter()
                .filter_map(|l| language_globs(l))
                .flatten()
                .collect(),
        );
    }
    LANGUAGES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, globs)| globs.to_vec())
}

/// The language of a file (the first entry of [`LANGUAGES`] whose globs
/// match its name), if any.
pub fn language_of(path: &str) -> Option<&'static str> {
    use std::sync::LazyLock;
    static SETS: LazyLock<Vec<(&'static str, globset::GlobSet)>> = LazyLock::new(|| {
        LANGUAGES
            .iter()
            .filter_map(|(name, globs)| {
                let mut b = globset::GlobSetBuilder::new();
                for g in *globs {
                    b.add(globset::Glob::new(g).ok()?);
                }
                Some((*name, b.build().ok()?))
            })
            .collect()
    });
    let name = path.rsplit('/').next().unwrap_or(path);
    SETS.iter()
        .find(|(_, set)| set.is_match(name))
        .map(|(n, _)| *n)
}

/// Whether a file name looks like credential material: such files are
/// scanned even when .gitignore excludes them, because an ignored private key
/// on disk is still a finding.
pub fn is_credential_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    matches!(
        ext,
        Some("pem" | "key" | "crt" | "cer" | "p8" | "p12" | "pfx" | "jks")
    ) || lower == ".env"
        || lower.starts_with(".env.")
        || lower.ends_with(".env")
        || lower == ".aio"
        || lower == "console.json"
        || lower == "config.json"
        || lower == "pdfservices-api-credentials.json"
        || (lower.ends_with(".json")
            && (lower.contains("credential") || lower.contains("service-account")))
}

/// The text rules see in place of a binary PKCS#12 key container.
pub const KEY_CONTAINER_TEXT: &str = "(binary PKCS#12 key container)\n";

/// Whether a file is a PKCS#12 key container (`.p12`, `.pfx`), which holds a
/// private key and its certificate in binary form.
pub fn is_key_container(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".p12") || lower.ends_with(".pfx")
}

/// Directories skipped when looking for git-ignored credential files: they
/// hold third-party packages and build output, whose test keys are not the
/// project's credentials.
pub const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "target",
    ".venv",
    "venv",
    "site-packages",
    "__pycache__",
    ".tox",
    ".gradle",
    ".m2",
    ".cargo",
    ".cache",
    "vendor",
    "dist",
    "build",
    ".next",
    ".nuxt",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for n in [
            "private.key",
            "certificate_pub.crt",
            "key.PEM",
            ".env",
            ".env.local",
            "prod.env",
            ".aio",
            "console.json",
            "pdfservices-api-credentials.json",
            "my-credentials.json",
            "cert.p12",
        ] {
            assert!(is_credential_file_name(n), "{n}");
        }
        for n in [
            "index.js",
            "package.json",
            "env.js",
            "keyboard.ts",
            "README.md",
        ] {
            assert!(!is_credential_file_name(n), "{n}");
        }
    }

    #[test]
    fn language_of_files() {
        assert_eq!(language_of("src/a.ts"), Some("typescript"));
        assert_eq!(language_of("Get-Token.ps1"), Some("powershell"));
        assert_eq!(language_of("x/.env.local"), Some("dotenv"));
        assert_eq!(language_of("README"), None);
    }

    #[test]
    fn languages_expand() {
        assert!(language_globs("javascript").is_some_and(|g| g.contains(&"*.js")));
        assert!(
            language_globs("code").is_some_and(|g| g.contains(&"*.py") && !g.contains(&"*.json"))
        );
        assert!(language_globs("cobol").is_none());
    }
}
