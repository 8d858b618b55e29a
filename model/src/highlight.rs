//! Syntax-aware colouring of diff lines: a small tokenizer that knows, per language family,
//! its comments, strings, numbers and keywords — line by line, as a diff is read (a comment or
//! string spanning lines is coloured on the line it starts). Pure, so the server's render and
//! the browser's hydration colour alike.

/// What a piece of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Plain,
    Keyword,
    String,
    Comment,
    Number,
}

impl TokenKind {
    /// The CSS class of a coloured piece; `None` for plain text.
    pub fn class(self) -> Option<&'static str> {
        match self {
            TokenKind::Plain => None,
            TokenKind::Keyword => Some("tk-kw"),
            TokenKind::String => Some("tk-str"),
            TokenKind::Comment => Some("tk-com"),
            TokenKind::Number => Some("tk-num"),
        }
    }
}

/// How a family of languages writes comments, strings and keywords.
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    pub name: &'static str,
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [char],
    keywords: &'static [&'static str],
    /// SQL's keywords are keywords in any case.
    ignore_case: bool,
}

const RUST: Language = Language {
    name: "rust",
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"'],
    keywords: &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
        "true", "type", "unsafe", "use", "where", "while",
    ],
    ignore_case: false,
};

const SCRIPT: Language = Language {
    name: "javascript",
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\'', '`'],
    keywords: &[
        "as",
        "async",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "from",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "of",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "type",
        "typeof",
        "undefined",
        "var",
        "void",
        "while",
        "yield",
    ],
    ignore_case: false,
};

const PYTHON: Language = Language {
    name: "python",
    line_comments: &["#"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &[
        "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "False", "finally", "for", "from", "global", "if", "import",
        "in", "is", "lambda", "None", "nonlocal", "not", "or", "pass", "raise", "return", "True",
        "try", "while", "with", "yield",
    ],
    ignore_case: false,
};

const GO: Language = Language {
    name: "go",
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\'', '`'],
    keywords: &[
        "break",
        "case",
        "chan",
        "const",
        "continue",
        "default",
        "defer",
        "else",
        "false",
        "for",
        "func",
        "go",
        "goto",
        "if",
        "import",
        "interface",
        "map",
        "nil",
        "package",
        "range",
        "return",
        "select",
        "struct",
        "switch",
        "true",
        "type",
        "var",
    ],
    ignore_case: false,
};

const C_FAMILY: Language = Language {
    name: "c",
    line_comments: &["//"],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\''],
    keywords: &[
        "abstract",
        "auto",
        "bool",
        "break",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "continue",
        "default",
        "delete",
        "do",
        "double",
        "else",
        "enum",
        "extends",
        "extern",
        "false",
        "final",
        "float",
        "for",
        "fun",
        "if",
        "implements",
        "import",
        "include",
        "int",
        "interface",
        "long",
        "namespace",
        "new",
        "null",
        "nullptr",
        "override",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "typedef",
        "union",
        "unsigned",
        "using",
        "val",
        "var",
        "virtual",
        "void",
        "volatile",
        "while",
    ],
    ignore_case: false,
};

const SHELL: Language = Language {
    name: "shell",
    line_comments: &["#"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &[
        "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if",
        "in", "local", "return", "then", "until", "while",
    ],
    ignore_case: false,
};

/// TOML, YAML, INI, Makefiles, Dockerfiles: `#` comments, strings, numbers.
const CONFIG: Language = Language {
    name: "config",
    line_comments: &["#"],
    block_comment: None,
    quotes: &['"', '\''],
    keywords: &["true", "false", "null"],
    ignore_case: false,
};

const JSON: Language = Language {
    name: "json",
    line_comments: &[],
    block_comment: None,
    quotes: &['"'],
    keywords: &["true", "false", "null"],
    ignore_case: false,
};

const CSS: Language = Language {
    name: "css",
    line_comments: &[],
    block_comment: Some(("/*", "*/")),
    quotes: &['"', '\''],
    keywords: &["important", "media", "import", "supports", "keyframes"],
    ignore_case: false,
};

const SQL: Language = Language {
    name: "sql",
    line_comments: &["--"],
    block_comment: Some(("/*", "*/")),
    quotes: &['\''],
    keywords: &[
        "alter",
        "and",
        "as",
        "begin",
        "by",
        "commit",
        "create",
        "delete",
        "drop",
        "from",
        "group",
        "having",
        "index",
        "insert",
        "into",
        "join",
        "key",
        "left",
        "limit",
        "not",
        "null",
        "on",
        "or",
        "order",
        "primary",
        "references",
        "select",
        "set",
        "table",
        "update",
        "values",
        "where",
    ],
    ignore_case: true,
};

/// The language of a file, by its name; `None`: shown uncoloured.
pub fn language_of(path: &str) -> Option<&'static Language> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "makefile" | "dockerfile" | ".gitignore" | ".env"
    ) {
        return Some(&CONFIG);
    }
    let extension = lower.rsplit_once('.')?.1;
    Some(match extension {
        "rs" => &RUST,
        "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => &SCRIPT,
        "py" | "pyi" => &PYTHON,
        "go" => &GO,
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "java" | "kt" | "kts" | "cs"
        | "swift" | "scala" | "dart" => &C_FAMILY,
        "sh" | "bash" | "zsh" => &SHELL,
        "toml" | "yaml" | "yml" | "ini" | "cfg" | "conf" | "mk" => &CONFIG,
        "json" | "jsonc" => &JSON,
        "css" | "scss" | "less" => &CSS,
        "sql" => &SQL,
        _ => return None,
    })
}

/// `line` cut into its pieces, in order; plain runs are merged.
pub fn tokens<'a>(language: &Language, line: &'a str) -> Vec<(TokenKind, &'a str)> {
    let mut out: Vec<(TokenKind, &'a str)> = Vec::new();
    let mut push = |kind: TokenKind, piece: &'a str| {
        if piece.is_empty() {
            return;
        }
        match out.last_mut() {
            // Plain runs are adjacent slices of `line`: merged by widening the last one.
            Some((TokenKind::Plain, last)) if kind == TokenKind::Plain => {
                let start = last.as_ptr() as usize - line.as_ptr() as usize;
                *last = &line[start..start + last.len() + piece.len()];
            }
            _ => out.push((kind, piece)),
        }
    };
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let c = rest.chars().next().unwrap_or(' ');
        let len = if language.line_comments.iter().any(|m| rest.starts_with(m)) {
            push(TokenKind::Comment, rest);
            rest.len()
        } else if let Some((open, close)) = language
            .block_comment
            .filter(|(open, _)| rest.starts_with(open))
        {
            let end = rest[open.len()..]
                .find(close)
                .map_or(rest.len(), |at| open.len() + at + close.len());
            push(TokenKind::Comment, &rest[..end]);
            end
        } else if language.quotes.contains(&c) {
            let end = string_end(rest, c);
            push(TokenKind::String, &rest[..end]);
            end
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .unwrap_or(rest.len());
            push(TokenKind::Number, &rest[..end]);
            end
        } else if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let keyword = language.keywords.iter().any(|k| {
                if language.ignore_case {
                    k.eq_ignore_ascii_case(word)
                } else {
                    *k == word
                }
            });
            push(
                if keyword {
                    TokenKind::Keyword
                } else {
                    TokenKind::Plain
                },
                word,
            );
            end
        } else {
            push(TokenKind::Plain, &rest[..c.len_utf8()]);
            c.len_utf8()
        };
        i += len;
    }
    out
}

/// Where a string opened by `quote` at the start of `rest` ends (after its closing quote, or
/// at the end of the line); a backslash escapes the next character.
fn string_end(rest: &str, quote: char) -> usize {
    let mut escaped = false;
    for (at, ch) in rest.char_indices().skip(1) {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            _ if ch == quote => return at + ch.len_utf8(),
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::TokenKind::*;
    use super::*;

    fn kinds(path: &str, line: &str) -> Vec<(TokenKind, std::string::String)> {
        tokens(language_of(path).unwrap(), line)
            .into_iter()
            .map(|(k, t)| (k, t.to_string()))
            .collect()
    }

    #[test]
    fn rust_keywords_strings_numbers_and_comments() {
        assert_eq!(
            kinds("src/main.rs", r#"let x = "a \" b" + 42; // done"#),
            [
                (Keyword, "let".into()),
                (Plain, " x = ".into()),
                (String, r#""a \" b""#.into()),
                (Plain, " + ".into()),
                (Number, "42".into()),
                (Plain, "; ".into()),
                (Comment, "// done".into()),
            ]
        );
    }

    #[test]
    fn block_comments_end_on_their_line_or_run_to_its_end() {
        assert_eq!(
            kinds("a.ts", "a /* b */ c /* d"),
            [
                (Plain, "a ".into()),
                (Comment, "/* b */".into()),
                (Plain, " c ".into()),
                (Comment, "/* d".into()),
            ]
        );
    }

    #[test]
    fn words_inside_identifiers_are_not_keywords_and_sql_ignores_case() {
        assert_eq!(kinds("x.py", "format_if"), [(Plain, "format_if".into())]);
        assert_eq!(
            kinds("q.sql", "SELECT id"),
            [(Keyword, "SELECT".into()), (Plain, " id".into())]
        );
    }

    #[test]
    fn unterminated_strings_and_unicode_stay_whole() {
        assert_eq!(
            kinds("a.sh", "echo 'héllo"),
            [(Plain, "echo ".into()), (String, "'héllo".into())]
        );
        assert_eq!(
            kinds("a.sh", "if é; then"),
            [
                (Keyword, "if".into()),
                (Plain, " é; ".into()),
                (Keyword, "then".into()),
            ]
        );
    }

    #[test]
    fn languages_come_from_the_file_name() {
        assert_eq!(language_of("a/b/Makefile").unwrap().name, "config");
        assert_eq!(language_of("app.TSX").unwrap().name, "javascript");
        assert_eq!(language_of("lib.rs").unwrap().name, "rust");
        assert_eq!(language_of("notes.txt"), None);
        assert_eq!(language_of("README"), None);
    }
}
