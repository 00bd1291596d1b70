//! Parse errors: which line, what it said, and what was wrong.

/// What was wrong with a line (RFC 8866 §5, §9 grammar).
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The line is not `<type>=<value>` with a one-letter type.
    #[error("not a <type>=<value> line")]
    NotALine,
    /// A line type this grammar does not have (RFC 8866 §5 defines v o s i u e p c b t r z k a m).
    #[error("unknown line type '{0}'")]
    UnknownType(char),
    /// A line where §5's order does not allow it (for example `o=` after `s=`, or `t=` inside
    /// a media section).
    #[error("'{0}=' line out of order")]
    OutOfOrder(char),
    /// A line that may appear once appeared again.
    #[error("'{0}=' line repeated")]
    Repeated(char),
    /// A required line is missing (`v=`, `o=`, `s=`, `t=`).
    #[error("missing '{0}=' line")]
    Missing(char),
    /// `v=` is not 0.
    #[error("unsupported version")]
    BadVersion,
    /// A field is missing from the line.
    #[error("missing field: {0}")]
    MissingField(&'static str),
    /// A field does not parse (a number, an address, a token).
    #[error("invalid {0}")]
    InvalidField(&'static str),
    /// A known attribute's value does not follow its grammar.
    #[error("invalid a={0} value")]
    InvalidAttribute(&'static str),
    /// A bound of [`Limits`] was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(&'static str),
}

/// Why a session description failed to parse: the 1-based line number, the line itself
/// (truncated to 200 bytes), and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("line {line}: {kind}: {text:?}")]
pub struct ParseError {
    /// 1-based line number (0 for whole-document problems such as size limits).
    pub line: usize,
    /// The offending line (at most 200 bytes of it).
    pub text: String,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(line: usize, text: &str, kind: ParseErrorKind) -> Self {
        let mut end = text.len().min(200);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Self {
            line,
            text: text[..end].to_owned(),
            kind,
        }
    }
}

/// Bounds that keep hostile input from costing unbounded memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest document in bytes.
    pub max_bytes: usize,
    /// Most lines.
    pub max_lines: usize,
    /// Longest line in bytes (attribute values included).
    pub max_line_len: usize,
    /// Most media sections.
    pub max_media: usize,
}

impl Limits {
    /// Sets the largest document in bytes.
    pub const fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// Sets the most lines.
    pub const fn max_lines(mut self, n: usize) -> Self {
        self.max_lines = n;
        self
    }

    /// Sets the longest line.
    pub const fn max_line_len(mut self, n: usize) -> Self {
        self.max_line_len = n;
        self
    }

    /// Sets the most media sections.
    pub const fn max_media(mut self, n: usize) -> Self {
        self.max_media = n;
        self
    }
}

impl Default for Limits {
    /// 1 MiB, 20,000 lines of at most 16 KiB, 512 media sections: about 50 times the largest
    /// browser offers.
    fn default() -> Self {
        Self {
            max_bytes: 1 << 20,
            max_lines: 20_000,
            max_line_len: 16 * 1024,
            max_media: 512,
        }
    }
}

/// How strictly to read a description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Size bounds.
    pub limits: Limits,
    /// `false` (the default) reads what browsers accept: lines of unknown type are kept
    /// verbatim (libwebrtc skips them) and session- or media-level lines are accepted in any
    /// order, as long as each line type appears as often as RFC 8866 §5 allows and only where
    /// it belongs. `true` applies RFC 8866 §5 exactly: a line out of order or of unknown type
    /// is an error (§5: a parser "MUST completely ignore any session description that contains
    /// a type letter that it does not understand").
    pub strict: bool,
}

impl ParseOptions {
    /// Sets the limits.
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// RFC 8866 §5 exactly, default limits.
    pub fn strict() -> Self {
        Self {
            limits: Limits::default(),
            strict: true,
        }
    }
}
